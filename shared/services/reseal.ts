import type { Deps } from '../deps.js';
import { resealValue } from '../crypto/values.js';
import {
  beginReseal,
  claimReseal,
  dataKeyRemove,
  dataKeyStillNewest,
  listDataKeyVersions,
  readNewestDataKey,
  readReseal,
  releaseReseal,
  saveReseal,
  type ResealPass,
  type ResealRecord,
  type VersionCounts,
} from '../data/data-keys.js';
import { readGlobalSecrets } from '../data/global-secrets.js';
import {
  linkEntriesOf,
  readWalkPage,
  sealedValueMove,
  setLinkHint,
  WALK_START,
  type SealedItem,
  type WalkPage,
} from '../data/sealed-values.js';
import { isDependencyUnavailable } from '../dependency-failure.js';
import { chunksOf } from '../chunks.js';
import { newId, now } from '../ids.js';
import { mapLimit } from '../map-limit.js';
import type { OwnerKey } from '../owner-key.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';
import { errorName } from '../logger.js';

/**
 * The re-seal of an owner's values under its newest data key, in bounded steps that any
 * request can continue (docs/architecture.md, "Data key rotation"). A pass walks every sealed
 * value of the owner a page at a time and moves each one not under the target version; its
 * progress is saved after every page in the owner's `RESEAL` item, under a lease so that one
 * request at a time works on it. A version is removed only at the end of a pass that found no
 * value under it and moved nothing, begun at least `RESEAL_GRACE_MS` after the last move.
 */

/** Values read a page (each with its kept versions). */
const PAGE_VALUES = 25;
/** Moves a transaction, beside its check of the newest key: 12 values of 64 KiB, old and new seal, stay well under 4 MB. */
const MOVES_PER_WRITE = 12;
const WRITES_IN_FLIGHT = 4;
/** How long one request works on a re-seal; the functions time out after 10 s (infra/cdk/secrets-stack.ts). */
const BUDGET_MS = 4_000;
/** How long a lease holds without news from its holder: past it, a stopped request's work is taken over. */
const LEASE_MS = 15_000;
/**
 * A pass that may remove a version begins this long after the last move, so that any request
 * that read a value before it moved (and is about to fetch the old key) has finished: longer
 * than the functions' 10 s timeout.
 */
export const RESEAL_GRACE_MS = 15_000;

/** Another process made a newer version than the pass's target: the re-seal goes on toward that one. */
class TargetMoved extends Error {}

/**
 * Works on the owner's re-seal for one request's budget: begins one toward the newest version
 * when there is none or it targets an older one (an owner never counted gets a first pass,
 * which counts), and continues a running one unless another request holds it. The record as it
 * stands after, or undefined for an owner without data keys.
 */
export async function advanceReseal(deps: Deps, owner: OwnerKey): Promise<ResealRecord | undefined> {
  const deadline = Date.now() + BUDGET_MS;
  for (;;) {
    const record = await resealTowardNewest(deps, owner);
    if (!record || record.state === 'idle' || Date.now() < record.nextPassAt || Date.now() >= deadline) {
      return record;
    }
    const leaseId = newId();
    const claimed = await claimReseal(deps.db, owner, leaseId, Date.now(), Date.now() + LEASE_MS);
    if (!claimed) return record;
    try {
      return await workUntil(deps, owner, claimed, leaseId, deadline);
    } catch (err) {
      if (!(err instanceof TargetMoved)) return interrupted(deps, owner, leaseId, err);
      deps.dataKeys.forgetNewest(owner);
    }
  }
}

async function resealTowardNewest(deps: Deps, owner: OwnerKey): Promise<ResealRecord | undefined> {
  const [record, newest] = await Promise.all([readReseal(deps.db, owner), readNewestDataKey(deps.db, owner)]);
  if (!newest || (record && record.target >= newest.version)) return record;
  await beginReseal(deps.db, owner, newest.version, now());
  return readReseal(deps.db, owner);
}

/**
 * A step failed (DynamoDB or KMS down, say): the pass is saved up to its last page, and the next
 * request goes on from there; this one answers with the progress so far. The failed page may
 * have moved values unrecorded: their grace counts from now.
 */
async function interrupted(deps: Deps, owner: OwnerKey, leaseId: string, err: unknown) {
  deps.logger.warn('re-seal interrupted; the next request continues it', {
    error: errorName(err),
  });
  await releaseReseal(deps.db, owner, leaseId, Date.now()).catch(() => undefined);
  return readReseal(deps.db, owner);
}

async function workUntil(
  deps: Deps,
  owner: OwnerKey,
  record: ResealRecord,
  leaseId: string,
  deadline: number,
): Promise<ResealRecord> {
  let current = record;
  while (current.state === 'running' && Date.now() < deadline && Date.now() >= current.nextPassAt) {
    const next = { ...(await resealStep(deps, owner, current)), updatedAt: now() };
    // Lost the lease (it expired and another request took it over) or a rotation restarted the re-seal.
    if (!(await saveReseal(deps.db, owner, next, leaseId, Date.now() + LEASE_MS))) {
      return (await readReseal(deps.db, owner)) ?? next;
    }
    current = next;
  }
  await releaseReseal(deps.db, owner, leaseId);
  return current;
}

/** One page of the pass: read, moved, link hints mended, counted; the pass ends with its last page. */
async function resealStep(deps: Deps, owner: OwnerKey, record: ResealRecord): Promise<ResealRecord> {
  const pass = record.pass ?? newPass();
  const page = await readWalkPage(deps.db, owner, pass.cursor, PAGE_VALUES);
  const handled = await moveValues(deps, owner, record.target, page.values);
  await mendLinkHints(deps, owner, record.target, page, handled.moved);
  const counted = tally(pass, page.values, handled, record.target);
  const advanced: ResealRecord = {
    ...record,
    moved: record.moved + handled.moved.length,
    lastMoveAt: handled.moved.length > 0 ? Date.now() : record.lastMoveAt,
  };
  if (page.next) return { ...advanced, pass: { ...counted, cursor: page.next } };
  return endPass(deps, owner, advanced, counted);
}

const newPass = (): ResealPass => ({
  cursor: WALK_START,
  startedAt: Date.now(),
  seen: 0,
  moved: 0,
  skipped: 0,
  counts: {},
  movedFrom: {},
});

interface Handled {
  moved: SealedItem[];
  /** Replaced by a write meanwhile: sealed under the newest key, or found again by the next pass. */
  skipped: SealedItem[];
  /** Failed to open (a broken seal, a missing key): left where they are, and counted there. */
  stuck: SealedItem[];
}

/** The values of a page not under the target, opened and sealed again under it, a transaction per few. */
async function moveValues(deps: Deps, owner: OwnerKey, target: number, values: SealedItem[]): Promise<Handled> {
  const due = values.filter((v) => v.sealed.dekVersion !== target);
  if (due.length === 0) return { moved: [], skipped: [], stuck: [] };
  const to = { version: target, key: await deps.dataKeys.version(owner, target) };
  const moves: { value: SealedItem; write: TableWrite }[] = [];
  const stuck: SealedItem[] = [];
  for (const value of due) {
    try {
      const from = await deps.dataKeys.version(owner, value.sealed.dekVersion);
      moves.push({
        value,
        write: sealedValueMove(owner, value, resealValue(from, to, owner, value.place, value.sealed)),
      });
    } catch (err) {
      if (isDependencyUnavailable(err)) throw err;
      stuck.push(value);
      deps.logger.warn('a sealed value failed to open; left under its version', {
        dekVersion: value.sealed.dekVersion,
        error: errorName(err),
      });
    }
  }
  const skipped = (
    await mapLimit(chunksOf(moves, MOVES_PER_WRITE), WRITES_IN_FLIGHT, (chunk) =>
      commitMoves(deps, owner, target, chunk),
    )
  ).flat();
  return { moved: moves.map((m) => m.value).filter((v) => !skipped.includes(v)), skipped, stuck };
}

/**
 * Moves in one transaction, with the check that the target is still the newest version: a
 * move refused because a write replaced the value meanwhile is dropped and the rest tried again.
 * The values dropped.
 */
async function commitMoves(
  deps: Deps,
  owner: OwnerKey,
  target: number,
  moves: { value: SealedItem; write: TableWrite }[],
): Promise<SealedItem[]> {
  const skipped: SealedItem[] = [];
  let pending = moves;
  while (pending.length > 0) {
    try {
      await transactWrite(deps.db, [dataKeyStillNewest(owner, target), ...pending.map((m) => m.write)]);
      return skipped;
    } catch (err) {
      if (!(err instanceof TransactionFailed)) throw err;
      if (err.reasons[0]?.code === 'ConditionalCheckFailed') throw new TargetMoved();
      const refused = pending.filter((_, i) => err.reasons[i + 1]?.code === 'ConditionalCheckFailed');
      skipped.push(...refused.map((m) => m.value));
      pending = pending.filter((m) => !refused.includes(m));
    }
  }
  return skipped;
}

/**
 * Link entries hint the version their secret is sealed under, for the runtime read's one batch:
 * those of each secret just moved are set to the target, and any other the page shows with a
 * hint other than its secret's version is set to that.
 */
async function mendLinkHints(
  deps: Deps,
  owner: OwnerKey,
  target: number,
  page: WalkPage,
  moved: SealedItem[],
): Promise<void> {
  const movedSecrets = moved.flatMap((v) => (v.secret ? [v.secret] : []));
  const ofMoved = await mapLimit(movedSecrets, WRITES_IN_FLIGHT, async (secret) =>
    (await linkEntriesOf(deps.db, owner, secret)).map((ref) => ({ ...ref, secretId: secret.id, version: target })),
  );
  const stale = page.links.filter((link) => link.dekVersion !== target);
  const secrets = await readGlobalSecrets(
    deps.db,
    owner,
    stale.map((l) => l.secretId),
  );
  const mends = [
    ...ofMoved.flat(),
    ...stale.flatMap((link) => {
      const version = secrets.get(link.secretId)?.sealed.dekVersion;
      return version === undefined || version === link.dekVersion ? [] : [{ ...link, version }];
    }),
  ];
  await mapLimit(mends, WRITES_IN_FLIGHT, (m) => setLinkHint(deps.db, m, m.secretId, m.version));
}

/** The page counted into the pass: each value under the version it is under once handled. */
function tally(pass: ResealPass, values: SealedItem[], handled: Handled, target: number): ResealPass {
  const counts = { ...pass.counts };
  const movedFrom = { ...pass.movedFrom };
  const add = (into: VersionCounts, version: number) => {
    into[version] = (into[version] ?? 0) + 1;
  };
  for (const value of values) add(counts, handled.stuck.includes(value) ? value.sealed.dekVersion : target);
  for (const value of handled.moved) add(movedFrom, value.sealed.dekVersion);
  return {
    ...pass,
    seen: pass.seen + values.length,
    moved: pass.moved + handled.moved.length,
    skipped: pass.skipped + handled.skipped.length,
    counts,
    movedFrom,
  };
}

/**
 * A pass done. One that moved or skipped nothing and began a grace after the last move proves
 * every version below the target without values empty: those are removed and the re-seal is
 * done. Otherwise another pass follows, once the grace after the last move has passed.
 */
async function endPass(deps: Deps, owner: OwnerKey, record: ResealRecord, pass: ResealPass): Promise<ResealRecord> {
  const counted = { counts: pass.counts, total: pass.seen, at: now() };
  const settledAfter = record.lastMoveAt + RESEAL_GRACE_MS;
  if (pass.moved + pass.skipped > 0 || pass.startedAt < settledAfter) {
    return { ...record, pass: null, counted, nextPassAt: Math.max(Date.now(), settledAfter) };
  }
  for (const { version } of await listDataKeyVersions(deps.db, owner)) {
    if (version >= record.target || (pass.counts[version] ?? 0) > 0) continue;
    try {
      await transactWrite(deps.db, dataKeyRemove(owner, version, record.target));
    } catch (err) {
      // The target itself is gone: a newer re-seal removed it, and owns the rest.
      throw err instanceof TransactionFailed ? new TargetMoved() : err;
    }
  }
  return { ...record, pass: null, counted, state: 'idle' };
}

/**
 * What a re-seal tells: values by version as the last complete pass counted them and, while a
 * pass runs, less what it moved off each version and plus what it moved onto the target; the
 * values moved by this re-seal; and of how many (what the last pass counted, or what this one
 * has read so far if more).
 */
export function resealProgress(record: ResealRecord | undefined): {
  state: ResealRecord['state'];
  values: (version: number) => number;
  moved: number;
  total: number;
} {
  const counts = record?.counted?.counts ?? {};
  const pass = record?.state === 'running' ? record.pass : null;
  const values = (version: number) =>
    Math.max(0, (counts[version] ?? 0) - (pass?.movedFrom[version] ?? 0)) +
    (pass && version === record!.target ? pass.moved : 0);
  return {
    state: record?.state ?? 'idle',
    values,
    moved: record?.moved ?? 0,
    total: Math.max(record?.counted?.total ?? 0, pass?.seen ?? 0),
  };
}
