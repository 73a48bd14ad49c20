import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { recordAudit } from '../../shared/audit.js';
import { decide, enforce } from '../../shared/auth/authorization.js';
import type { Principal } from '../../shared/auth/principal.js';
import { open, seal } from '../../shared/crypto/envelope.js';
import type { Deps } from '../../shared/deps.js';
import { notFound } from '../../shared/errors.js';
import { newId, now } from '../../shared/ids.js';
import { resolve, type Candidate } from '../../shared/resolver.js';
import { readRuntime } from '../../shared/services/runtime.js';
import { ownerKeyOf, ownerOf } from '../../shared/owner-key.js';
import { batchGet, itemId } from '../../shared/storage/batch.js';
import { keys } from '../../shared/data/keys.js';
import type { OwnerKey } from '../../shared/owner-key.js';
import { queryAll } from '../../shared/storage/query.js';
import { BENCH_KMS_KEY_ID } from '../lib/bench-kms.js';
import { checkResolved, type BenchContext, type BenchEnvironment } from '../lib/setup.js';
import { interleaved, ratioOf, summarize, type Summary } from '../lib/stats.js';

/**
 * Item 3: the per-value data key design, where every sealed value carries its own data key
 * wrapped by KMS, against ours (one data key per owner, cached). The per-value model is a
 * faithful alternative read path that lives here only: the same Query of the partition, the
 * same BatchGetItem of the linked secrets (no data key item: each value brings its own), the
 * same audit write alongside, then one KMS Decrypt per sealed value, all in parallel, and the
 * same opening and resolution. Both paths run in process, through the same KMS client with
 * the same simulated latency.
 */

type Item = Record<string, unknown>;

/** Where a value belongs, bound into its data key's encryption context and its AAD. */
const placeOf = (owner: OwnerKey, where: string) => `prime-secrets/per-value|${owner}|${where}`;
const valueContext = (owner: OwnerKey, where: string) => ({ owner, purpose: 'secret-value', place: where });

async function sealPerValue(kms: KMSClient, owner: OwnerKey, where: string, plaintext: string) {
  const out = await kms.send(
    new GenerateDataKeyCommand({
      KeyId: BENCH_KMS_KEY_ID,
      KeySpec: 'AES_256',
      EncryptionContext: valueContext(owner, where),
    }),
  );
  const ct = seal(out.Plaintext!, Buffer.from(plaintext, 'utf8'), placeOf(owner, where));
  return { ct, wrappedKey: out.CiphertextBlob! };
}

async function writeAll(deps: Deps, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending: Item[] = items.slice(i, i + 25);
    while (pending.length > 0) {
      const out = await deps.db.doc.send(
        new BatchWriteCommand({
          RequestItems: { [deps.db.tableName]: pending.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      pending = (out.UnprocessedItems?.[deps.db.tableName] ?? []).map((r) => r.PutRequest!.Item as Item);
    }
  }
}

/**
 * A copy of `source` in the per-value model: a new partition with the same META, variables
 * and links, each direct secret sealed under a key of its own, and per-value copies of the
 * linked global secrets. Written directly (bench setup, not measured).
 */
async function writePerValueCopy(deps: Deps, kms: KMSClient, source: BenchEnvironment): Promise<string> {
  const envId = newId();
  const owner = source.ownerKey;
  const meta = (
    await queryAll(deps.db, {
      KeyConditionExpression: 'pk = :pk AND sk = :meta',
      ExpressionAttributeValues: { ':pk': keys.environmentPartition(source.id), ':meta': 'META' },
    })
  )[0]!;
  const entries = await queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
    ExpressionAttributeValues: { ':pk': keys.environmentPartition(source.id), ':entry': keys.entryPrefix },
  });
  const items: Item[] = [{ ...meta, ...keys.environment(envId), id: envId, name: `${meta.name as string}-per-value` }];
  const at = now();
  for (const entry of entries) {
    const name = entry.name as string;
    const base = { ...keys.entry(envId, name), kind: entry.kind, id: newId(), name, createdAt: at, updatedAt: at };
    if (entry.kind === 'variable') {
      items.push({ ...base, value: source.expected.get(name)! });
    } else if (entry.kind === 'secret') {
      const where = `environment|${envId}|${base.id}`;
      items.push({ ...base, isFile: false, ...(await sealPerValue(kms, owner, where, source.expected.get(name)!)) });
    } else {
      const secretId = newId();
      const where = `global|${secretId}`;
      items.push({ ...base, secretId });
      items.push({
        ...keys.globalSecret(owner, secretId),
        id: secretId,
        name,
        isFile: false,
        createdAt: at,
        updatedAt: at,
        ...(await sealPerValue(kms, owner, where, source.expected.get(name)!)),
      });
    }
  }
  await writeAll(deps, items);
  return envId;
}

/** The runtime read of the per-value model (see above). */
async function readRuntimePerValue(
  deps: Deps,
  kms: KMSClient,
  principal: Principal,
  envId: string,
): Promise<Record<string, string>> {
  const partition = await queryAll(deps.db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.environmentPartition(envId) },
    ConsistentRead: true,
  });
  const meta = partition.find((i) => i.sk === 'META');
  if (!meta) throw notFound('Environment');
  const owner = ownerOf(meta as { userId: string | null; teamId: string | null });
  const ownerKey = ownerKeyOf(owner);
  enforce(decide(principal, owner, undefined, 'read-runtime'), principal, 'read-runtime', 'Environment');
  const entries = partition.filter((i) => i.sk !== 'META');
  const links = entries.filter((e) => e.kind === 'link');
  const direct = entries.filter((e) => e.kind === 'secret');

  const audited = recordAudit(deps, {
    owner: ownerKey,
    principal,
    action: 'runtime_read',
    target: { type: 'environment', id: envId, name: meta.name as string },
    environmentId: envId,
    jobId: 'bench',
  });
  audited.catch(() => undefined);
  const batch = await batchGet(
    deps.db,
    links.map((l) => keys.globalSecret(ownerKey, l.secretId as string)),
  );
  const linked = links
    .map((link) => ({ link, secret: batch.get(itemId(keys.globalSecret(ownerKey, link.secretId as string))) }))
    .filter((l): l is { link: Item; secret: Item } => l.secret !== undefined);

  const sealed = [
    ...linked.map(({ link, secret }) => ({
      name: link.name as string,
      source: 'global-linked' as const,
      item: secret,
      where: `global|${secret.id as string}`,
    })),
    ...direct.map((e) => ({
      name: e.name as string,
      source: 'environment' as const,
      item: e,
      where: `environment|${envId}|${e.id as string}`,
    })),
  ];
  const [dataKeys] = await Promise.all([
    Promise.all(
      sealed.map(async (s) => {
        const out = await kms.send(
          new DecryptCommand({
            KeyId: BENCH_KMS_KEY_ID,
            CiphertextBlob: s.item.wrappedKey as Uint8Array,
            EncryptionContext: valueContext(ownerKey, s.where),
          }),
        );
        return out.Plaintext!;
      }),
    ),
    audited,
  ]);
  const candidates: Candidate[] = [
    ...entries
      .filter((e) => e.kind === 'variable')
      .map((e): Candidate => ({
        name: e.name as string,
        source: 'variable',
        value: e.value as string,
        isFile: false,
        version: e.version as number,
      })),
    ...sealed.map((s, i): Candidate => ({
      name: s.name,
      source: s.source,
      value: open(dataKeys[i]!, s.item.ct as Uint8Array, placeOf(ownerKey, s.where)).toString('utf8'),
      isFile: false,
      version: s.item.version as number,
    })),
  ];
  return resolve(candidates).env;
}

export interface PerValueFigures {
  size: number;
  kmsLatencyMs: number;
  iterations: number;
  /** KMS calls of one read in each model. */
  kmsCallsPerRead: { perValue: number; oursCold: number; oursWarm: number };
  perValueMs: Summary;
  oursWarmMs: Summary;
  oursColdMs: Summary;
  /** median(per-value) / median(ours, warm cache) */
  ratioWarm: number;
  /** median(per-value) / median(ours, cold cache: one KMS call) */
  ratioCold: number;
}

export async function measurePerValueKeys(ctx: BenchContext, iterations = 150): Promise<PerValueFigures> {
  const { deps, kms } = ctx.service;
  const env = ctx.environments[100];
  const perValueEnvId = await writePerValueCopy(deps, kms.client, env);
  const principal = ctx.servicePrincipal;

  const perValue = () => readRuntimePerValue(deps, kms.client, principal, perValueEnvId);
  const ours = () => readRuntime(deps, principal, env.id, 'bench');

  // Both resolve the same set; and the KMS calls of one read of each.
  const countKms = async (read: () => Promise<unknown>) => {
    kms.reset();
    await read();
    return kms.calls.length;
  };
  checkResolved(await perValue(), env);
  checkResolved((await ours()).env, env);
  const perValueCalls = await countKms(perValue);
  deps.dataKeys.clear();
  const oursCold = await countKms(ours);
  const oursWarm = await countKms(ours);

  const times = await interleaved(
    { perValue, oursWarm: ours, oursCold: ours },
    { iterations, warmup: 10, before: { oursCold: () => deps.dataKeys.clear() } },
  );
  return {
    size: env.size,
    kmsLatencyMs: ctx.kmsLatencyMs,
    iterations,
    kmsCallsPerRead: { perValue: perValueCalls, oursCold, oursWarm },
    perValueMs: summarize(times.perValue),
    oursWarmMs: summarize(times.oursWarm),
    oursColdMs: summarize(times.oursCold),
    ratioWarm: ratioOf(times.perValue, times.oursWarm).ofMedians,
    ratioCold: ratioOf(times.perValue, times.oursCold).ofMedians,
  };
}
