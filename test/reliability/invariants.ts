import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../../shared/deps.js';
import { openWithKey, type ValuePlace } from '../../shared/crypto/values.js';
import type { OwnerKey } from '../../shared/owner-key.js';

/**
 * Checks of a history's outcome, as pure functions returning the problems they find (an
 * empty list when all holds), so one failing run reports every broken invariant at once.
 */
export type Item = Record<string, unknown>;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Every item of the table, read consistently. */
export async function scanTable(deps: Deps): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const out = await deps.db.doc.send(
      new ScanCommand({ TableName: deps.db.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The items of one environment and of its owner's global secrets, as stored. */
export interface StoredState {
  meta: Item | undefined;
  entries: Item[];
  /** The entries' value items, by entry id. */
  values: Map<string, Item>;
  secrets: Item[];
  claims: Item[];
  reverseLinks: Item[];
  /** The owner's environments, by their name claims. */
  environmentClaims: Item[];
  counts: Item | undefined;
}

export function storedState(items: Item[], envId: string, ownerKey: OwnerKey): StoredState {
  const envPk = `ENV#${envId}`;
  const ownerPk = `OWNER#${ownerKey}`;
  const sk = (i: Item) => i.sk as string;
  return {
    meta: items.find((i) => i.pk === envPk && i.sk === 'META'),
    entries: items.filter((i) => i.pk === envPk && sk(i).startsWith('ENTRY#')),
    values: new Map(
      items.filter((i) => i.pk === envPk && sk(i).startsWith('VALUE#')).map((i) => [i.id as string, i] as const),
    ),
    secrets: items.filter((i) => i.pk === ownerPk && sk(i).startsWith('SECRET#')),
    claims: items.filter((i) => i.pk === ownerPk && sk(i).startsWith('SECRETNAME#')),
    reverseLinks: items.filter((i) => i.pk === ownerPk && sk(i).startsWith('SLINK#')),
    environmentClaims: items.filter((i) => i.pk === ownerPk && sk(i).startsWith('ENVNAME#')),
    counts: items.find((i) => i.pk === ownerPk && i.sk === 'COUNTS'),
  };
}

/**
 * The storage invariants: one entry per name, keyed by its name, each direct secret and variable
 * with one value item and no value item without its entry; every link with its secret
 * (under the same name) and its reverse index, and the converse; every secret with its name
 * claim, and the converse; the counters equal what they count.
 */
export function storageProblems(state: StoredState, envId: string): string[] {
  const problems: string[] = [];
  const byName = new Map<string, Item[]>();
  for (const entry of state.entries) {
    const name = entry.name as string;
    byName.set(name, [...(byName.get(name) ?? []), entry]);
    if (entry.sk !== `ENTRY#${name}`) problems.push(`entry ${String(entry.sk)} holds the name ${name}`);
    if (!['secret', 'variable', 'link'].includes(entry.kind as string))
      problems.push(`entry ${name} has kind ${String(entry.kind)}`);
  }
  for (const [name, holders] of byName)
    if (holders.length > 1) problems.push(`${holders.length} entries share the name ${name}`);
  const own = state.entries.filter((e) => e.kind === 'secret' || e.kind === 'variable');
  for (const entry of own)
    if (!state.values.has(entry.id as string)) problems.push(`entry ${String(entry.name)} has no value item`);
  for (const [id, value] of state.values) {
    if (value.sk !== `VALUE#${id}`) problems.push(`value item ${String(value.sk)} holds the value of ${id}`);
    if (!own.some((e) => e.id === id)) problems.push(`value item of ${id} belongs to no entry`);
  }

  const secretsById = new Map(state.secrets.map((s) => [s.id as string, s]));
  const links = state.entries.filter((e) => e.kind === 'link');
  const linkedIds = links.map((l) => l.secretId as string);
  if (new Set(linkedIds).size !== linkedIds.length) problems.push('a secret is linked twice to the environment');
  for (const link of links) {
    const secretId = link.secretId as string;
    const secret = secretsById.get(secretId);
    if (!secret) problems.push(`link ${String(link.name)} → secret ${secretId} that does not exist`);
    else if (secret.name !== link.name)
      problems.push(`link ${String(link.name)} → secret ${secretId} named ${String(secret.name)}`);
    if (link.id !== secretId) problems.push(`link ${String(link.name)} has id ${String(link.id)} ≠ ${secretId}`);
    if (!state.reverseLinks.some((r) => r.sk === `SLINK#${secretId}#${envId}`))
      problems.push(`link ${String(link.name)} → ${secretId} has no reverse index item`);
  }
  for (const reverse of state.reverseLinks) {
    const [, secretId, linkedEnv] = (reverse.sk as string).split('#');
    if (linkedEnv !== envId) continue;
    if (!links.some((l) => l.secretId === secretId))
      problems.push(`reverse index ${String(reverse.sk)} has no link entry`);
    if (!secretsById.has(secretId!)) problems.push(`reverse index ${String(reverse.sk)} names a missing secret`);
  }

  const claimsByName = new Map(state.claims.map((c) => [(c.sk as string).slice('SECRETNAME#'.length), c]));
  for (const secret of state.secrets) {
    const claim = claimsByName.get(secret.name as string);
    if (!claim) problems.push(`secret ${String(secret.id)} (${String(secret.name)}) has no name claim`);
    else if (claim.secretId !== secret.id)
      problems.push(`name claim ${String(secret.name)} → ${String(claim.secretId)}, not ${String(secret.id)}`);
    if (secret.sk !== `SECRET#${String(secret.id)}`)
      problems.push(`secret ${String(secret.sk)} has id ${String(secret.id)}`);
  }
  for (const [name, claim] of claimsByName) {
    const secret = secretsById.get(claim.secretId as string);
    if (!secret || secret.name !== name)
      problems.push(`name claim ${name} → ${String(claim.secretId)} without its secret`);
  }

  const secretCount = (state.counts?.secretCount as number | undefined) ?? 0;
  if (secretCount !== state.secrets.length)
    problems.push(`COUNTS.secretCount is ${secretCount}, ${state.secrets.length} secrets stored`);
  // Counted once in use (an owner made before the count has none until then).
  const environmentCount = state.counts?.environmentCount as number | undefined;
  if (environmentCount !== undefined && environmentCount !== state.environmentClaims.length)
    problems.push(
      `COUNTS.environmentCount is ${environmentCount}, ${state.environmentClaims.length} environments stored`,
    );
  if (!state.meta) problems.push('the environment META item is missing');
  else if (((state.meta.entryCount as number | undefined) ?? 0) !== state.entries.length)
    problems.push(`META.entryCount is ${String(state.meta.entryCount)}, ${state.entries.length} entries stored`);
  return problems;
}

/** Opens a stored sealed value (its `ct` under its owner's data key); throws if it does not open. */
export async function openStored(deps: Deps, owner: OwnerKey, item: Item, place: ValuePlace): Promise<string> {
  const dekVersion = item.dekVersion as number;
  const key = await deps.dataKeys.version(owner, dekVersion);
  return openWithKey(key, owner, place, { ct: item.ct as Uint8Array, dekVersion });
}

/** A successful write of a value (create, update or rename with a value), timed by its caller. */
export interface ValueWrite {
  id: string;
  value: string;
  start: number;
  end: number;
}

/**
 * The values each id may hold at the end of a linearizable history: those of the writes not
 * followed by another write of the same id that started after they had returned.
 */
export function allowedFinalValues(writes: ValueWrite[]): Map<string, Set<string>> {
  const byId = new Map<string, ValueWrite[]>();
  for (const w of writes) byId.set(w.id, [...(byId.get(w.id) ?? []), w]);
  const allowed = new Map<string, Set<string>>();
  for (const [id, list] of byId) {
    const latestStart = Math.max(...list.map((w) => w.start));
    allowed.set(id, new Set(list.filter((w) => !(w.end < latestStart)).map((w) => w.value)));
  }
  return allowed;
}

/** A read of values during the history (a runtime read, a list of variables), timed by its caller. */
export interface ValueRead {
  start: number;
  end: number;
  values: string[];
}

/**
 * Reads that saw a value that was already overwritten: the write of the value was followed by
 * another write of the same id that began after it and returned before the read began. Such
 * a read cannot happen in a linearizable history (a lost update leaves one). Each value is
 * sent once, so it names its write.
 */
export function staleReads(writes: ValueWrite[], reads: ValueRead[]): string[] {
  const byValue = new Map(writes.map((w) => [w.value, w]));
  const byId = new Map<string, ValueWrite[]>();
  for (const w of writes) byId.set(w.id, [...(byId.get(w.id) ?? []), w]);
  const problems: string[] = [];
  for (const read of reads) {
    for (const value of read.values) {
      const write = byValue.get(value);
      if (!write) continue; // not a successful write's value: reported on its own
      if (write.start > read.end) problems.push(`a read of ${write.id} returned a value before it was written`);
      const later = byId.get(write.id)!.find((w) => w.start > write.end && w.end < read.start);
      if (later) problems.push(`a read of ${write.id} returned a value overwritten before the read began`);
    }
  }
  return problems;
}

/** An audit event a successful request must have left; `actions` lists what it may be recorded as. */
export interface ExpectedEvent {
  actions: string[];
  type: string;
  id: string;
  name: string;
  environmentId: string | null;
  jobId?: string | null;
}

export interface AuditEventLike {
  id: string;
  action: string;
  target: { type: string; id: string; name: string | null };
  environmentId: string | null;
  jobId: string | null;
}

const eventKey = (type: string, id: string, name: string | null, env: string | null) =>
  `${type}|${id}|${String(name)}|${String(env)}`;

/**
 * Matches events to expectations one to one (exact expectations first, then those that may
 * be either of several actions): what is left on either side is a missing or an extra event.
 */
export function auditMismatches(
  expected: ExpectedEvent[],
  events: AuditEventLike[],
): { missing: ExpectedEvent[]; unexpected: AuditEventLike[] } {
  const pool = new Map<string, AuditEventLike[]>();
  for (const e of events) {
    const k = eventKey(e.target.type, e.target.id, e.target.name, e.environmentId);
    pool.set(k, [...(pool.get(k) ?? []), e]);
  }
  const missing: ExpectedEvent[] = [];
  const ordered = [...expected].sort((a, b) => a.actions.length - b.actions.length);
  for (const want of ordered) {
    const candidates = pool.get(eventKey(want.type, want.id, want.name, want.environmentId)) ?? [];
    const at = candidates.findIndex(
      (e) => want.actions.includes(e.action) && (want.jobId === undefined || e.jobId === want.jobId),
    );
    if (at < 0) missing.push(want);
    else candidates.splice(at, 1);
  }
  return { missing, unexpected: [...pool.values()].flat() };
}

/** Counts per `action target-type`, for a readable summary of a mismatch. */
export function tally(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys.sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
}
