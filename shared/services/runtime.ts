import { setImmediate } from 'node:timers/promises';
import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { recordAudit } from '../audit.js';
import { decide, enforce } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import type { DataKeyItem } from '../crypto/data-keys.js';
import { openWithKey } from '../crypto/values.js';
import { notFound, payloadTooLarge } from '../errors.js';
import { now, requireId } from '../ids.js';
import { resolve, type Candidate } from '../resolver.js';
import { LIMITS, type Role } from '../schemas.js';
import { batchGet, itemId } from '../storage/batch.js';
import { keys, type OwnerKey } from '../storage/keys.js';
import { queryAll } from '../storage/query.js';
import { ownerOf } from './environments.js';

type Item = Record<string, unknown>;

/**
 * The runtime read, at job start. Two sequential DynamoDB round trips whatever the number of
 * entries: one Query of the environment's partition (META and every entry), then one
 * BatchGetItem of the linked global secrets, the data keys not already in memory and, for a
 * user key on a team environment, the caller's membership. At most one KMS call per data key
 * version, none with a warm cache. The audit event is written alongside the batch when the
 * caller is already known to be allowed, else right after it.
 */
export async function readRuntime(
  deps: Deps,
  principal: Principal,
  envId: string,
  jobId: string | undefined,
): Promise<Api.RuntimeSet> {
  requireId(envId, 'Environment');
  const partition = await queryPartition(deps, envId);
  const meta = partition.find((i) => i.sk === 'META');
  if (!meta) throw notFound('Environment');
  const owner = ownerOf(meta as { userId: string | null; teamId: string | null });
  const ownerKey = meta.ownerKey as OwnerKey;
  const entries = partition.filter((i) => i.sk !== 'META');
  const links = entries.filter((e) => e.kind === 'link');
  const direct = entries.filter((e) => e.kind === 'secret');

  const membershipKey =
    principal.type === 'user' && 'teamId' in owner ? keys.member(owner.teamId, principal.userId) : undefined;
  const audit = () =>
    recordAudit(deps, {
      owner: ownerKey,
      principal,
      action: 'runtime_read',
      target: { type: 'environment', id: envId, name: meta.name as string },
      environmentId: envId,
      jobId: jobId ?? null,
    });
  let audited: Promise<void> | undefined;
  if (!membershipKey) {
    enforce(decide(principal, owner, undefined, 'read-runtime'), principal, 'read-runtime', 'Environment');
    audited = audit();
    audited.catch(() => undefined); // awaited below; this only avoids an unhandled rejection meanwhile
  }

  const wantedVersions = new Set<number>([...direct, ...links].map((e) => (e.dekVersion as number | undefined) ?? 1));
  const dataKeyKeys = [...wantedVersions]
    .filter((v) => !deps.dataKeys.isCached(ownerKey, v))
    .map((v) => keys.dataKey(ownerKey, v));
  const secretKeys = links.map((l) => keys.globalSecret(ownerKey, l.secretId as string));
  const batchRead = batchGet(deps.db, [...secretKeys, ...dataKeyKeys, ...(membershipKey ? [membershipKey] : [])]);
  batchRead.catch(() => undefined); // awaited below; this only avoids an unhandled rejection meanwhile

  const openDirect = (dataKeys: Map<number, Buffer>) =>
    direct.map((e): Candidate => ({
      name: e.name as string,
      source: 'environment',
      value: openWithKey(
        dataKeys.get(e.dekVersion as number)!,
        ownerKey,
        { kind: 'environment', envId, entryId: e.id as string },
        sealedOf(e),
      ),
      isFile: e.isFile === true,
    }));
  // With the caller already allowed and their data keys in memory, the direct secrets need
  // nothing from the batch: they are opened while DynamoDB works on it, instead of after.
  let directOpened: Candidate[] | undefined;
  if (
    !membershipKey &&
    direct.length > 0 &&
    direct.every((e) => deps.dataKeys.isCached(ownerKey, e.dekVersion as number))
  ) {
    await setImmediate(); // the batch and the audit write reach the wire first
    directOpened = openDirect(await unwrapDataKeys(deps, ownerKey, new Map(), direct));
  }
  const batch = await batchRead;

  if (membershipKey) {
    const role = batch.get(itemId(membershipKey))?.role as Role | undefined;
    enforce(decide(principal, owner, role, 'read-runtime'), principal, 'read-runtime', 'Environment');
    audited = audit();
  }

  const linkedSecrets = links
    .map((link) => ({ link, secret: batch.get(itemId(keys.globalSecret(ownerKey, link.secretId as string))) }))
    // A link whose secret is gone (deleted, unlink under way) resolves to nothing.
    .filter((l): l is { link: Item; secret: Item } => l.secret !== undefined);
  const [dataKeys] = await Promise.all([
    unwrapDataKeys(deps, ownerKey, batch, [...(directOpened ? [] : direct), ...linkedSecrets.map((l) => l.secret)]),
    audited,
  ]);

  const candidates: Candidate[] = [
    ...entries
      .filter((e) => e.kind === 'variable')
      .map((e): Candidate => ({ name: e.name as string, source: 'variable', value: e.value as string, isFile: false })),
    ...linkedSecrets.map(({ link, secret }): Candidate => ({
      name: link.name as string,
      source: 'global-linked',
      value: openWithKey(
        dataKeys.get(secret.dekVersion as number)!,
        ownerKey,
        { kind: 'global', secretId: secret.id as string },
        sealedOf(secret),
      ),
      isFile: secret.isFile === true,
    })),
    ...(directOpened ?? openDirect(dataKeys)),
  ];
  const resolved = resolve(candidates);
  checkPayloadSize(resolved.env);
  return { environmentId: envId, ...resolved, resolvedAt: now() };
}

const sealedOf = (item: Item) => ({ ct: item.ct as Uint8Array, dekVersion: item.dekVersion as number });

function queryPartition(deps: Deps, envId: string): Promise<Item[]> {
  return queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.environmentPartition(envId) },
    ConsistentRead: true,
  });
}

/** The plaintext data keys the sealed items need, from the batch, the cache or (rarely) a read. */
async function unwrapDataKeys(deps: Deps, owner: OwnerKey, batch: Map<string, Item>, sealed: Item[]) {
  const versions = [...new Set(sealed.map((s) => s.dekVersion as number))];
  const unwrapped = await Promise.all(
    versions.map((version) => {
      const item = batch.get(itemId(keys.dataKey(owner, version)));
      return item
        ? deps.dataKeys.fromItem(owner, { version, wrapped: item.wrapped } as DataKeyItem)
        : deps.dataKeys.version(owner, version);
    }),
  );
  return new Map(versions.map((v, i) => [v, unwrapped[i]!]));
}

function checkPayloadSize(env: Record<string, string>): void {
  const sizes = Object.entries(env).map(([name, value]) => ({
    name,
    bytes: Buffer.byteLength(name) + Buffer.byteLength(value),
  }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  if (total <= LIMITS.runtimePayloadBytes) return;
  const largest = sizes
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map((s) => `${s.name} (${s.bytes} bytes)`)
    .join(', ');
  throw payloadTooLarge(
    `The resolved set is ${total} bytes, over the ${LIMITS.runtimePayloadBytes}-byte limit. Largest entries: ${largest}.`,
  );
}
