import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import {
  apiKeyCreate,
  listUserApiKeys,
  readPrincipal,
  readUserApiKey,
  userApiKeyRevoke,
  type ApiKeyRecord,
} from '../../shared/data/api-keys.js';
import { auditEventPut, decodeAuditCursor, listAuditEvents, type AuditEvent } from '../../shared/data/audit-events.js';
import { createDataKey, readDataKey, readNewestDataKey } from '../../shared/data/data-keys.js';
import {
  entryCreate,
  findLinkEntry,
  readEntries,
  readEntriesNamed,
  readPartition,
  readVariables,
  type EntryInfo,
  type EntryRecord,
} from '../../shared/data/entries.js';
import { environmentCreate, readEnvironment, type EnvironmentRecord } from '../../shared/data/environments.js';
import {
  globalSecretExists,
  readGlobalSecret,
  readGlobalSecrets,
  secretCreate,
  secretUpdate,
  type GlobalSecretRecord,
} from '../../shared/data/global-secrets.js';
import { linksOf, secretLinkPut } from '../../shared/data/links.js';
import {
  listMembersOf,
  memberCreate,
  membershipsOf,
  readMember,
  type MemberRecord,
} from '../../shared/data/members.js';
import { readRuntimeBatch } from '../../shared/data/runtime-batch.js';
import {
  readRuntimeToken,
  readRuntimeTokens,
  runtimeTokenCreate,
  runtimeTokenRevoke,
  type RuntimeTokenRecord,
} from '../../shared/data/runtime-tokens.js';
import { createSessionItem, deleteSessionItem, readSessionItem } from '../../shared/data/sessions.js';
import { chunksOf } from '../../shared/chunks.js';
import { readConfig } from '../../shared/config.js';
import { newId } from '../../shared/ids.js';
import { ownerKeyOf } from '../../shared/owner-key.js';
import { createDb, type Db } from '../../shared/storage/client.js';
import { TransactionFailed, transactWrite } from '../../shared/storage/transact.js';
import { createTestTable } from '../support/table.js';

/**
 * Each aggregate's record survives the table: what a data module writes, its reads give back
 * field for field (the mapping between item and record is written twice, once each way).
 */
let db: Db;
const at = '2026-12-01T10:00:00.000Z';
const userId = newId();
const ownerKey = ownerKeyOf({ userId });
const sealed = () => ({ ct: new Uint8Array(randomBytes(40)), dekVersion: 1 });

const environment = (): EnvironmentRecord => ({
  id: newId(),
  owner: 'dev',
  name: `env-${newId()}`,
  userId,
  teamId: null,
  createdAt: at,
  ownerKey,
  entryCount: 0,
});

const secret = (name: string): GlobalSecretRecord => ({
  id: newId(),
  name,
  description: 'judge model',
  isFile: false,
  userId,
  teamId: null,
  version: 2,
  expiresAt: null,
  createdAt: at,
  updatedAt: at,
  ownerKey,
  sealed: sealed(),
  linkSeq: 0,
});

/** The record a listing reads: a direct secret's or a variable's value left out. */
function withoutValue(entry: EntryRecord): EntryInfo {
  if (entry.kind === 'link') return entry;
  const { sealed: _sealed, value: _value, ...info } = entry as EntryRecord & { sealed?: unknown; value?: unknown };
  return info as EntryInfo;
}

beforeAll(async () => {
  const { endpoint, tableName } = await createTestTable();
  db = createDb(readConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint }));
});

describe('data records round-trip through the table', () => {
  it('environments and every kind of entry, by partition, by list and by name', async () => {
    const env = environment();
    const global = secret('JUDGE_KEY');
    const entries: EntryRecord[] = [
      {
        envId: env.id,
        kind: 'secret',
        id: newId(),
        name: 'DB_PASSWORD',
        description: null,
        isFile: true,
        sealed: sealed(),
        rev: 3,
        version: 4,
        expiresAt: '2030-01-01T00:00:00.000Z',
        createdAt: at,
        updatedAt: at,
      },
      {
        envId: env.id,
        kind: 'variable',
        id: newId(),
        name: 'LOG_LEVEL',
        description: 'verbosity',
        version: 1,
        value: 'debug',
        rev: undefined,
        createdAt: at,
        updatedAt: at,
      },
      {
        envId: env.id,
        kind: 'link',
        id: global.id,
        secretId: global.id,
        linkId: newId(),
        name: global.name,
        dekVersion: 1,
        secretVersion: 3,
        createdAt: at,
        updatedAt: at,
      },
    ];
    await transactWrite(db, [...environmentCreate(env), secretCreate(global), ...entries.map(entryCreate)]);

    expect(await readEnvironment(db, env.id)).toEqual(env);
    const partition = await readPartition(db, env.id);
    expect(partition.environment).toEqual(env);
    const byName = (a: EntryInfo, b: EntryInfo) => (a.name < b.name ? -1 : 1);
    expect(partition.entries.sort(byName)).toEqual([...entries].sort(byName));
    // Listings and name checks read the entries without their values.
    const infos = entries.map(withoutValue);
    expect((await readEntries(db, env.id)).sort(byName)).toEqual([...infos].sort(byName));
    expect(await readVariables(db, env.id)).toEqual([entries[1]]);
    expect(
      await readEntriesNamed(db, [
        { envId: env.id, name: 'LOG_LEVEL' },
        { envId: env.id, name: 'NONE' },
      ]),
    ).toEqual([infos[1], undefined]);
    expect(await findLinkEntry(db, env.id, global.id)).toEqual(entries[2]);
  });

  it('a second entry under a taken name is refused by the condition, with the holder', async () => {
    const env = environment();
    const first: EntryRecord = {
      envId: env.id,
      kind: 'variable',
      id: newId(),
      name: 'X',
      description: null,
      value: '1',
      rev: undefined,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    await transactWrite(db, [...environmentCreate(env), entryCreate(first)]);
    const err = await transactWrite(db, [entryCreate({ ...first, id: newId(), value: '2' })]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionFailed);
    expect((err as TransactionFailed).failedAt()).toBe(0);
    expect((err as TransactionFailed).reasons[0]?.item?.id).toBe(first.id);
  });

  it('global secrets: one, many, by index, and a conditioned update', async () => {
    const [a, b] = [secret('A_KEY'), secret('B_KEY')];
    await transactWrite(db, [secretCreate(a), secretCreate(b)]);
    expect(await readGlobalSecret(db, ownerKey, a.id)).toEqual(a);
    expect(await readGlobalSecrets(db, ownerKey, [a.id, b.id, newId()])).toEqual(
      new Map([
        [a.id, a],
        [b.id, b],
      ]),
    );
    expect(await globalSecretExists(db, a.id)).toBe(true);
    expect(await globalSecretExists(db, newId())).toBe(false);
    const change = { name: 'A_KEY', description: null, sealed: sealed(), updatedAt: '2026-12-02T00:00:00.000Z' };
    await transactWrite(db, [secretUpdate(a, change)]);
    expect(await readGlobalSecret(db, ownerKey, a.id)).toEqual({ ...a, ...change });
    // The update was conditioned on the name as read: a stale record is refused.
    await expect(transactWrite(db, [secretUpdate({ ...a, name: 'OLD' }, change)])).rejects.toBeInstanceOf(
      TransactionFailed,
    );
  });

  it('runtime tokens: the principal by hash, the listing by environment, revoked once', async () => {
    const token: RuntimeTokenRecord = {
      id: newId(),
      envId: newId(),
      jobId: 'job-42',
      createdAt: at,
      expiresAt: '2026-12-01T11:00:00.000Z',
      hash: randomBytes(32).toString('hex'),
    };
    await transactWrite(db, runtimeTokenCreate(token));
    await expect(transactWrite(db, runtimeTokenCreate(token))).rejects.toBeInstanceOf(TransactionFailed);
    expect(await readPrincipal(db, token.hash)).toEqual({
      type: 'runtime-token',
      keyId: token.id,
      envId: token.envId,
      jobId: 'job-42',
      expiresAt: token.expiresAt,
    });
    expect(await readRuntimeTokens(db, token.envId)).toEqual([token]);
    expect(await readRuntimeToken(db, token.envId, token.id)).toEqual(token);
    await transactWrite(db, runtimeTokenRevoke(token));
    await expect(transactWrite(db, runtimeTokenRevoke(token))).rejects.toBeInstanceOf(TransactionFailed);
    expect(await readPrincipal(db, token.hash)).toBeUndefined();
    expect(await readRuntimeTokens(db, token.envId)).toEqual([]);
  });

  it('links, members, API keys, sessions, data keys and audit events', async () => {
    const s = secret('LINKED');
    const link = { ownerKey, secretId: s.id, envId: newId(), envOwner: 'dev', envName: 'e', createdAt: at };
    const teamId = newId();
    const member: MemberRecord = {
      teamId,
      teamName: 'T',
      teamSlug: 't',
      userId,
      email: 'd@example.com',
      name: 'D',
      slug: 'd',
      role: 'viewer',
      createdAt: at,
    };
    const principal: Principal = { type: 'user', userId, keyId: newId(), scopes: ['manage', 'runtime'] };
    const hash = randomBytes(32).toString('hex');
    await transactWrite(db, [
      secretCreate(s),
      secretLinkPut(link),
      memberCreate(member),
      ...apiKeyCreate(principal, { name: 'ci', hash, createdAt: at }),
    ]);

    expect(await linksOf(db, ownerKey, s.id)).toEqual([link]);
    expect(await readMember(db, teamId, userId)).toEqual(member);
    expect(await listMembersOf(db, teamId)).toEqual([member]);
    expect(await membershipsOf(db, userId)).toEqual([member]);
    expect(await readPrincipal(db, hash)).toEqual(principal);
    const listed: ApiKeyRecord = {
      id: principal.keyId,
      name: 'ci',
      scopes: ['manage', 'runtime'],
      hash,
      createdAt: at,
    };
    expect(await listUserApiKeys(db, userId)).toEqual([listed]);
    await transactWrite(db, userApiKeyRevoke(userId, listed));
    expect(await readPrincipal(db, hash)).toBeUndefined();
    expect(await readUserApiKey(db, userId, principal.keyId)).toBeUndefined();

    const session = {
      tokenHash: hash,
      principal: { ...principal, type: 'user' as const },
      keyHash: hash,
      csrfToken: 'c',
      createdAt: at,
      expiresAt: 2_000_000_000,
    };
    expect(await createSessionItem(db, session)).toBe(true);
    expect(await createSessionItem(db, session)).toBe(false);
    expect(await readSessionItem(db, hash)).toEqual(session);
    await deleteSessionItem(db, hash);
    expect(await readSessionItem(db, hash)).toBeUndefined();

    const wrapped = new Uint8Array(randomBytes(60));
    expect(await createDataKey(db, ownerKey, { version: 1, wrapped, provider: 'local', createdAt: at })).toBe(true);
    expect(await createDataKey(db, ownerKey, { version: 1, wrapped, provider: 'local', createdAt: at })).toBe(false);
    expect(await createDataKey(db, ownerKey, { version: 2, wrapped, provider: 'local', createdAt: at })).toBe(true);
    expect(await readDataKey(db, ownerKey, 1)).toEqual({ version: 1, wrapped });
    expect((await readNewestDataKey(db, ownerKey))?.version).toBe(2);

    const batch = await readRuntimeBatch(db, {
      ownerKey,
      secretIds: [s.id, newId()],
      dataKeyVersions: [1, 7],
      member: { teamId, userId },
    });
    expect(batch).toEqual({
      secrets: new Map([[s.id, s]]),
      dataKeys: new Map([[1, { version: 1, wrapped }]]),
      role: 'viewer',
    });

    const events: AuditEvent[] = [1, 2, 3].map((n) => ({
      id: newId(),
      at: `2026-12-01T10:00:0${n}.000Z`,
      actor: { type: 'user', id: userId },
      action: 'update',
      target: { type: 'variable', id: newId(), name: `V${n}` },
      environmentId: null,
      jobId: null,
    }));
    await transactWrite(
      db,
      events.map((e, i) => auditEventPut(e, { owner: ownerKey, shard: i % 2, ttl: 2_000_000_000 })),
    );
    const firstPage = await listAuditEvents(db, ownerKey, 2, { limit: 2, before: undefined, environmentId: undefined });
    expect(firstPage.events).toEqual([events[2], events[1]]);
    const secondPage = await listAuditEvents(db, ownerKey, 2, {
      limit: 2,
      before: decodeAuditCursor(firstPage.cursor!),
      environmentId: undefined,
    });
    expect(secondPage).toEqual({ events: [events[0]], cursor: null });
    expect(decodeAuditCursor(Buffer.from('ENV#x').toString('base64url'))).toBeUndefined();
  });

  it("an environment's events, by the index: the filter reads what the page returns, not the owner's history", async () => {
    const owner = ownerKeyOf({ userId: newId() });
    const [busy, quiet] = [newId(), newId()];
    const event = (envId: string | null, n: number): AuditEvent => ({
      id: newId(),
      at: new Date(Date.UTC(2026, 11, 1, 10, 0, 0, n)).toISOString(),
      actor: { type: 'user', id: userId },
      action: 'runtime_read',
      target: { type: 'environment', id: envId ?? newId(), name: 'e' },
      environmentId: envId,
      jobId: null,
      versions: { K: n },
    });
    // The quiet environment's events are the oldest, under 300 of the busy one's and of none.
    const quietEvents = [0, 1, 2].map((n) => event(quiet, n));
    const later = Array.from({ length: 300 }, (_, n) => event(n % 3 === 0 ? null : busy, 10 + n));
    for (const chunk of chunksOf([...quietEvents, ...later], 100)) {
      await transactWrite(
        db,
        chunk.map((e, i) => auditEventPut(e, { owner, shard: i % 4, ttl: 2_000_000_000 })),
      );
    }
    const scanned: number[] = [];
    const counting = createDb(readConfig({ TABLE_NAME: db.tableName, DYNAMODB_ENDPOINT: inject('dynamoEndpoint') }));
    counting.raw.middlewareStack.add((next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'QueryCommand') scanned.push((out.output as { ScannedCount: number }).ScannedCount);
      return out;
    });

    const page = await listAuditEvents(counting, owner, 4, { limit: 2, before: undefined, environmentId: quiet });
    expect(page.events).toEqual([quietEvents[2], quietEvents[1]]);
    const rest = await listAuditEvents(counting, owner, 4, {
      limit: 2,
      before: decodeAuditCursor(page.cursor!),
      environmentId: quiet,
    });
    expect(rest).toEqual({ events: [quietEvents[0]], cursor: null });
    // Each shard reads at most a page of the quiet environment's own events: never the 300 others.
    expect(scanned.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(quietEvents.length * 2);
    const unknown = await listAuditEvents(counting, owner, 4, { limit: 1, before: undefined, environmentId: newId() });
    expect(unknown).toEqual({ events: [], cursor: null });
    // Another owner's log knows nothing of this environment, though the id is the same.
    const elsewhere = await listAuditEvents(db, ownerKey, 4, { limit: 5, before: undefined, environmentId: quiet });
    expect(elsewhere.events).toEqual([]);
  });
});
