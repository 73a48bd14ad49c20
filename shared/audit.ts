import { randomInt } from 'node:crypto';
import type { Deps } from './deps.js';
import { actorOf, type Principal } from './auth/principal.js';
import {
  auditEventPut,
  decodeAuditCursor,
  listAuditEvents,
  putAuditEvent,
  versionSetExpiry,
  versionSetOf,
  type AuditAction,
  type AuditEvent,
  type AuditPlacement,
  type AuditTargetType,
} from './data/audit-events.js';
import type { AuditOwner } from './data/keys.js';
import { badRequest } from './errors.js';
import { newId, now } from './ids.js';
import { METRICS } from './metric-catalog.js';
import type { TableWrite } from './storage/transact.js';

export interface AuditInput {
  owner: AuditOwner;
  principal: Principal;
  action: AuditAction;
  target: { type: AuditTargetType; id: string; name: string | null };
  environmentId?: string | null;
  jobId?: string | null;
  versions?: Record<string, number>;
}

/**
 * The event of an action, and where it goes: one of several shards of the owner's audit log,
 * so that a burst of job starts does not heat one partition (readers merge the shards). By
 * construction an event holds names and ids only, never a value.
 */
function eventOf(deps: Deps, input: AuditInput): { event: AuditEvent; placement: AuditPlacement } {
  const at = now();
  const event: AuditEvent = {
    id: newId(),
    at,
    actor: actorOf(input.principal),
    action: input.action,
    target: input.target,
    environmentId: input.environmentId ?? null,
    jobId: input.jobId ?? null,
    ...(input.versions === undefined ? {} : { versions: input.versions }),
  };
  const placement: AuditPlacement = {
    owner: input.owner,
    shard: randomInt(deps.config.auditShards),
    ttl: Math.floor(Date.parse(at) / 1000) + deps.config.auditRetentionDays * 86_400,
  };
  return { event, placement };
}

/** The event of a mutation, to be written in the mutation's own transaction. */
export function auditPut(deps: Deps, input: AuditInput): TableWrite {
  const { event, placement } = eventOf(deps, input);
  return auditEventPut(event, placement);
}

/** An event and its place, made once so that it can be written again in that place. */
export type PreparedAudit = ReturnType<typeof eventOf>;

export const prepareAudit = (deps: Deps, input: AuditInput): PreparedAudit => eventOf(deps, input);

/** How long a set of versions outlasts the event that wrote it: later events name it for a day before it is written again. */
const VERSION_SET_MARGIN_SECONDS = 86_400;

/**
 * A prepared event written on its own (a read has no transaction); again, it replaces itself.
 * One that cannot be written is counted (AuditWriteFailures): the read it records is refused.
 */
export const writeAudit = (deps: Deps, prepared: PreparedAudit): Promise<void> =>
  putWithVersionSet(deps, prepared).catch((err: unknown) => {
    deps.metrics.count(METRICS.auditWriteFailures);
    throw err;
  });

/**
 * A large set of versions is written once and named by the events after it: this container
 * remembers until when each set it wrote or saw lasts, and an event names a set only if the set
 * outlasts the event.
 */
async function putWithVersionSet(deps: Deps, { event, placement }: PreparedAudit): Promise<void> {
  const set = event.versions === undefined ? undefined : versionSetOf(event.versions);
  if (set === undefined) return putAuditEvent(deps.db, event, placement);
  const known = `${placement.owner}#${set.digest}`;
  const lasts = deps.auditVersionSets.get(known) ?? (await versionSetExpiry(deps.db, placement.owner, set.digest));
  if (lasts !== undefined && lasts >= placement.ttl) {
    deps.auditVersionSets.set(known, lasts);
    return putAuditEvent(deps.db, event, placement, { set });
  }
  const writeUntil = placement.ttl + VERSION_SET_MARGIN_SECONDS;
  await putAuditEvent(deps.db, event, placement, { set, writeUntil });
  deps.auditVersionSets.set(known, writeUntil);
}

/** A runtime read's event, written on its own. */
export const recordAudit = (deps: Deps, input: AuditInput): Promise<void> => writeAudit(deps, eventOf(deps, input));

/** Events of an owner, newest first, a page at a time. */
export async function listAudit(
  deps: Deps,
  owner: AuditOwner,
  options: { limit: number; cursor?: string | undefined; environmentId?: string | undefined },
): Promise<{ events: AuditEvent[]; cursor: string | null }> {
  const before = options.cursor === undefined ? undefined : decodeAuditCursor(options.cursor);
  if (options.cursor !== undefined && before === undefined) throw badRequest('The cursor is not valid.');
  return listAuditEvents(deps.db, owner, deps.config.auditShards, {
    limit: options.limit,
    before,
    environmentId: options.environmentId,
  });
}
