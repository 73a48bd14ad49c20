import { setImmediate } from 'node:timers/promises';
import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { decide, enforce, refuseMissing } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { openWithKey, type SealedValue } from '../crypto/values.js';
import type { DataKeyRecord } from '../data/data-keys.js';
import type { LinkEntry, SecretEntry } from '../data/entries.js';
import type { EnvironmentRecord } from '../data/environments.js';
import { readRuntimeBatch, type RuntimeBatch, type RuntimeBatchRequest } from '../data/runtime-batch.js';
import { missingRequiredError, payloadTooLarge } from '../errors.js';
import { envelopedBytes, LAMBDA_RESPONSE_BYTES } from '../response-size.js';
import { now, requireId } from '../ids.js';
import type { OwnerKey } from '../owner-key.js';
import { resolve, type Candidate } from '../resolver.js';
import type { Role } from '../schemas.js';
import { LIMITS } from '../rules.js';
import { ownerOf } from '../owner-key.js';
import { linkedName } from './linked-name.js';
import { runtimeAudit, type LinkedSecret } from './runtime-audit.js';
import { linkedSecrets, membershipToRead, missingRequired } from './runtime-check.js';

/**
 * The runtime read, at job start. Two sequential DynamoDB round trips whatever the number of
 * entries: one Query of the environment's partition (META and every entry; a container that
 * kept it since checks its revision and its owner's with two GetItems instead,
 * shared/services/environment-partitions.ts), then one BatchGetItem of the linked global
 * secrets not kept at the owner's revision, the data keys not already in memory and, for a
 * user key on a team environment, the caller's membership. At most one KMS call per data key
 * version, none with a warm cache. The audit event is written alongside the batch when the
 * caller is already known to be allowed, else right after it (shared/services/runtime-audit.ts);
 * values leave only once it is written. A runtime token reads like a service key, audited with
 * its own job id.
 */
export async function readRuntime(
  deps: Deps,
  principal: Principal,
  envId: string,
  jobId: string | undefined,
  options: {
    allowMissing?: boolean;
    /** The caller's rate limit still being counted (a user key's): awaited beside the Query, so it adds no round trip. */
    admitted?: Promise<void> | undefined;
  } = {},
): Promise<Api.RuntimeSet> {
  const allowMissing = options.allowMissing ?? false;
  requireId(envId, 'Environment');
  const [{ environment: env, entries, requirements, ownerRevision }] = await Promise.all([
    deps.partitions.read(envId),
    options.admitted,
  ]);
  if (!env) return refuseMissing(deps, principal, 'Environment');
  const owner = ownerOf(env);
  const direct = entries.filter((e) => e.kind === 'secret');
  const links = entries.filter((e) => e.kind === 'link');
  const member = membershipToRead(principal, owner);
  const allow = (role: Role | undefined) =>
    enforce(decide(principal, { ...owner, envId }, role, 'read-runtime'), principal, 'read-runtime', 'Environment');
  // A runtime token was minted for one job: its reads are that job's, whatever X-Job-Id says.
  const job = principal.type === 'runtime-token' ? principal.jobId : jobId;
  const audit = runtimeAudit(deps, principal, env, job, entries);

  // Refused before anything is audited or opened, the names the set lacks once the caller may know them.
  const requireNames = (names: string[]) => {
    const missing = allowMissing ? [] : missingRequired(requirements, new Set(names));
    if (missing.length > 0) throw missingRequiredError(missing);
  };

  // A caller whose right does not hang on a team role is decided now and audited while the batch runs.
  if (!member) {
    allow(undefined);
    requireNames(entries.map((e) => e.name));
    audit.early(links);
  }
  const batchRead = readBatch(deps, env, ownerRevision, { direct, links, member });
  batchRead.catch(() => undefined); // awaited below; this only avoids an unhandled rejection meanwhile
  const directOpened = member ? undefined : await openDirectEarly(deps, env, direct);
  const batch = await batchRead;
  if (member) allow(batch.role);

  const linked = linkedSecrets(links, batch.secrets);
  // A link whose secret is gone leaves its name missing too.
  requireNames([
    ...entries.flatMap((e) => (e.kind === 'link' ? [] : [e.name])),
    ...linked.map((l) => linkedName(l.link, l.secret)),
  ]);
  const audited = audit.settle(linked);
  const stillSealed = [...(directOpened ? [] : direct.map((e) => e.sealed)), ...linked.map((l) => l.secret.sealed)];
  const [dataKeys] = await Promise.all([unwrapDataKeys(deps, env.ownerKey, batch.dataKeys, stillSealed), audited]);

  const resolved = resolve([
    ...entries.flatMap((e): Candidate[] =>
      e.kind === 'variable'
        ? [{ name: e.name, source: 'variable', value: e.value, isFile: false, version: e.version }]
        : [],
    ),
    ...linked.map((l) => openLinked(env, l, dataKeys)),
    ...(directOpened ?? openDirect(env, direct, dataKeys)),
  ]);
  checkPayloadSize(resolved.env);
  return { environmentId: envId, ...resolved, resolvedAt: now() };
}

/**
 * The linked secrets (those kept at the owner's revision, the rest read and kept), the data keys
 * not in memory and, for a user key on a team environment, the caller's membership: one batch.
 */
async function readBatch(
  deps: Deps,
  env: EnvironmentRecord,
  ownerRevision: number | undefined,
  { direct, links, member }: { direct: SecretEntry[]; links: LinkEntry[]; member: RuntimeBatchRequest['member'] },
): Promise<RuntimeBatch> {
  const kept = deps.partitions.linkedSecrets(
    env.ownerKey,
    ownerRevision,
    links.map((l) => l.secretId),
  );
  const batch = await readRuntimeBatch(deps.db, {
    ownerKey: env.ownerKey,
    secretIds: kept.missing,
    dataKeyVersions: uncachedVersions(deps, env.ownerKey, direct, links),
    member,
  });
  deps.partitions.keepSecrets(env.ownerKey, ownerRevision, batch.secrets);
  return { ...batch, secrets: new Map([...kept.found, ...batch.secrets]) };
}

/** The data key versions the sealed entries need that are not in memory (a link remembers its secret's). */
function uncachedVersions(deps: Deps, ownerKey: OwnerKey, direct: SecretEntry[], links: LinkEntry[]): number[] {
  const versions = new Set([...direct.map((e) => e.sealed.dekVersion), ...links.map((l) => l.dekVersion ?? 1)]);
  return [...versions].filter((v) => !deps.dataKeys.isCached(ownerKey, v));
}

/**
 * With the caller already allowed and their data keys in memory, the direct secrets need
 * nothing from the batch: they are opened while DynamoDB works on it, instead of after.
 */
async function openDirectEarly(
  deps: Deps,
  env: EnvironmentRecord,
  direct: SecretEntry[],
): Promise<Candidate[] | undefined> {
  if (direct.length === 0 || !direct.every((e) => deps.dataKeys.isCached(env.ownerKey, e.sealed.dekVersion))) {
    return undefined;
  }
  await setImmediate(); // the batch and the audit write reach the wire first
  const dataKeys = await unwrapDataKeys(
    deps,
    env.ownerKey,
    new Map(),
    direct.map((e) => e.sealed),
  );
  return openDirect(env, direct, dataKeys);
}

const openDirect = (env: EnvironmentRecord, direct: SecretEntry[], dataKeys: Map<number, Buffer>) =>
  direct.map((e): Candidate => ({
    name: e.name,
    source: 'environment',
    value: openWithKey(
      dataKeys.get(e.sealed.dekVersion)!,
      env.ownerKey,
      { kind: 'environment', envId: env.id, entryId: e.id },
      e.sealed,
    ),
    isFile: e.isFile,
    version: e.version,
  }));

const openLinked = (
  env: EnvironmentRecord,
  { link, secret }: LinkedSecret,
  dataKeys: Map<number, Buffer>,
): Candidate => ({
  name: linkedName(link, secret),
  source: 'global-linked',
  value: openWithKey(
    dataKeys.get(secret.sealed.dekVersion)!,
    env.ownerKey,
    { kind: 'global', secretId: secret.id },
    secret.sealed,
  ),
  isFile: secret.isFile,
  version: secret.version,
});

/** The plaintext data keys the sealed values need, from the batch, the cache or (rarely) a read. */
async function unwrapDataKeys(
  deps: Deps,
  owner: OwnerKey,
  batched: Map<number, DataKeyRecord>,
  sealed: SealedValue[],
): Promise<Map<number, Buffer>> {
  const versions = [...new Set(sealed.map((s) => s.dekVersion))];
  const unwrapped = await Promise.all(
    versions.map((version) => {
      const stored = batched.get(version);
      return stored ? deps.dataKeys.fromItem(owner, stored) : deps.dataKeys.version(owner, version);
    }),
  );
  return new Map(versions.map((v, i) => [v, unwrapped[i]!]));
}

/** The resolved set over the contract's 5 MiB of names and values: 413 naming its largest entries. */
function checkPayloadSize(env: Record<string, string>): void {
  const total = Object.entries(env).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value),
    0,
  );
  if (total <= LIMITS.runtimePayloadBytes) return;
  throw payloadTooLarge(
    `The resolved set is ${total} bytes, over the ${LIMITS.runtimePayloadBytes}-byte limit. Largest entries: ${largestEntries(env, (name, value) => Buffer.byteLength(name) + Buffer.byteLength(value))}.`,
  );
}

/**
 * Why a set within 5 MiB still cannot be answered: escaped in JSON, then again in Lambda's
 * envelope, it takes more than the function may return (quotes and backslashes double twice,
 * control characters take seven bytes), and compressed too if the caller accepts gzip.
 */
export function runtimeSetTooLarge(set: Api.RuntimeSet): string {
  const total = envelopedBytes(set);
  return `The resolved set takes ${total} bytes as the function returns it (its JSON escaped inside Lambda's response), over Lambda's ${LAMBDA_RESPONSE_BYTES}-byte limit. Largest entries: ${largestEntries(set.env, (name, value) => envelopedBytes(name) + envelopedBytes(value))}.`;
}

function largestEntries(env: Record<string, string>, bytesOf: (name: string, value: string) => number): string {
  return Object.entries(env)
    .map(([name, value]) => ({ name, bytes: bytesOf(name, value) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map((s) => `${s.name} (${s.bytes} bytes)`)
    .join(', ');
}
