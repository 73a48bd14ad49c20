import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { preconditionFailed, notFound } from '../errors.js';
import {
  readValueVersion,
  readValueVersions,
  valueVersionDrop,
  valueVersionPut,
  type ValueVersionRecord,
} from '../data/value-versions.js';
import { LIMITS } from '../rules.js';
import type { TableWrite } from '../storage/transact.js';

/**
 * The history of values (global secrets, direct secrets, variables), one rule for all three:
 * every change of a value writes its new version in the change's own transaction and drops the
 * one that falls out of the kept window there too, so history is bounded without a sweeper.
 */

type Content = ValueVersionRecord['content'];

/** The writes that record version `version` of a value, written by `principal` at `at`. */
export function versionWrites(
  principal: Principal,
  valueId: string,
  version: number,
  content: Content,
  at: string,
): TableWrite[] {
  const { type, id } = actorOf(principal);
  const kept = LIMITS.versionsKept;
  return [
    valueVersionPut({ valueId, version, createdAt: at, createdBy: { type, id }, content }),
    ...(version > kept ? [valueVersionDrop(valueId, version - kept)] : []),
  ];
}

/** `If-Match`: the change is made only to the version the caller saw (412 naming the current one). */
export function requireVersion(what: string, current: number, ifMatch: number | undefined): void {
  if (ifMatch === undefined || ifMatch === current) return;
  throw preconditionFailed(
    `The ${what} is at version ${current}, not ${ifMatch}: it changed since you read it. Read it again, then retry.`,
  );
}

/**
 * The kept versions of a value, newest first; a variable's with their values. A value written
 * before versions were kept has no history yet: its current version is listed from the value.
 */
export async function listVersions(
  deps: Deps,
  valueId: string,
  current: { version: number; updatedAt: string },
  withValues: boolean,
): Promise<Api.ValueVersion[]> {
  const kept = await readValueVersions(deps.db, valueId);
  const listed = kept.map((v): Api.ValueVersion => ({
    version: v.version,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    current: v.version === current.version,
    ...(withValues && 'value' in v.content ? { value: v.content.value } : {}),
  }));
  if (kept.some((v) => v.version === current.version)) return listed;
  return [
    { version: current.version, createdAt: current.updatedAt, createdBy: { type: 'unknown', id: '' }, current: true },
    ...listed,
  ];
}

/** A kept version of a value, or 404 (never kept, or dropped from the window). */
export async function keptVersion(deps: Deps, valueId: string, version: number): Promise<ValueVersionRecord> {
  const found = await readValueVersion(deps.db, valueId, version);
  if (!found) throw notFound('Version');
  return found;
}
