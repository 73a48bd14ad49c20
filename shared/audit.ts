import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomInt } from 'node:crypto';
import type { Deps } from './deps.js';
import { actorOf, type Principal } from './auth/principal.js';
import { newId, now } from './ids.js';
import { keys, type OwnerKey } from './storage/keys.js';
import type { TransactItem } from './storage/transact.js';
import { badRequest } from './errors.js';
import { compareText } from './pagination.js';

export type AuditAction = 'create' | 'update' | 'rename' | 'delete' | 'link' | 'unlink' | 'runtime_read' | 'revoke';

export type AuditTargetType =
  | 'global_secret'
  | 'environment_secret'
  | 'variable'
  | 'environment'
  | 'team'
  | 'member'
  | 'api_key'
  | 'user'
  | 'service_key';

export interface AuditInput {
  owner: OwnerKey;
  principal: Principal;
  action: AuditAction;
  target: { type: AuditTargetType; id: string; name: string | null };
  environmentId?: string | null;
  jobId?: string | null;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor: { type: string; id: string };
  action: AuditAction;
  target: { type: AuditTargetType; id: string; name: string | null };
  environmentId: string | null;
  jobId: string | null;
}

/**
 * An audit event item. Events go to one of several shards of the owner's audit partition so
 * that a burst of job starts does not heat one partition; readers merge the shards. By
 * construction an event holds names and ids only, never a value.
 */
function eventItem(deps: Deps, input: AuditInput): Record<string, unknown> {
  const at = now();
  const id = newId();
  const event: AuditEvent = {
    id,
    at,
    actor: actorOf(input.principal),
    action: input.action,
    target: input.target,
    environmentId: input.environmentId ?? null,
    jobId: input.jobId ?? null,
  };
  return {
    pk: keys.auditPartition(input.owner, randomInt(deps.config.auditShards)),
    sk: `${at}#${id}`,
    owner: input.owner,
    ...event,
    ttl: Math.floor(Date.parse(at) / 1000) + deps.config.auditRetentionDays * 86_400,
  };
}

/** The event of a mutation, to be written in the mutation's own transaction. */
export function auditPut(deps: Deps, input: AuditInput): TransactItem {
  return { Put: { TableName: deps.db.tableName, Item: eventItem(deps, input) } };
}

/** A runtime read's event, written on its own (a read has no transaction). */
export async function recordAudit(deps: Deps, input: AuditInput): Promise<void> {
  await deps.db.doc.send(new PutCommand({ TableName: deps.db.tableName, Item: eventItem(deps, input) }));
}

const toEvent = (item: Record<string, unknown>): AuditEvent => ({
  id: item.id as string,
  at: item.at as string,
  actor: item.actor as AuditEvent['actor'],
  action: item.action as AuditAction,
  target: item.target as AuditEvent['target'],
  environmentId: (item.environmentId as string | null) ?? null,
  jobId: (item.jobId as string | null) ?? null,
});

/**
 * Events of an owner, newest first, across every shard. The cursor is the sort key of the
 * last event returned; each shard is read below it until it has `limit` matching events.
 */
export async function listAudit(
  deps: Deps,
  owner: OwnerKey,
  options: { limit: number; cursor?: string | undefined; environmentId?: string | undefined },
): Promise<{ events: AuditEvent[]; cursor: string | null }> {
  const before = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  const perShard = await Promise.all(
    Array.from({ length: deps.config.auditShards }, (_, shard) =>
      readShard(deps, keys.auditPartition(owner, shard), options.limit, before, options.environmentId),
    ),
  );
  const merged = perShard
    .flat()
    .sort((a, b) => compareText(b.sk as string, a.sk as string))
    .slice(0, options.limit);
  const last = merged.at(-1);
  const more = merged.length === options.limit && last !== undefined;
  return {
    events: merged.map(toEvent),
    cursor: more ? Buffer.from(last.sk as string, 'utf8').toString('base64url') : null,
  };
}

async function readShard(
  deps: Deps,
  pk: string,
  limit: number,
  before: string | undefined,
  environmentId: string | undefined,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await deps.db.doc.send(
      new QueryCommand({
        TableName: deps.db.tableName,
        KeyConditionExpression: before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
        ...(environmentId === undefined ? {} : { FilterExpression: 'environmentId = :env' }),
        ExpressionAttributeValues: {
          ':pk': pk,
          ...(before === undefined ? {} : { ':before': before }),
          ...(environmentId === undefined ? {} : { ':env': environmentId }),
        },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    found.push(...((out.Items ?? []) as Record<string, unknown>[]));
    startKey = out.LastEvaluatedKey;
  } while (startKey && found.length < limit);
  return found.slice(0, limit);
}

function decodeCursor(cursor: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z#[a-z2-7]{24}$/.test(sk)) throw badRequest('The cursor is not valid.');
  return sk;
}
