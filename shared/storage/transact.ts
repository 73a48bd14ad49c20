import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DependencyUnavailableError } from '../dependency-failure.js';
import type { Db } from './client.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type WithoutTable<T> = Omit<NonNullable<T>, 'TableName'>;

type Operation =
  | { Put: WithoutTable<TransactItem['Put']> }
  | { Update: WithoutTable<TransactItem['Update']> }
  | { Delete: WithoutTable<TransactItem['Delete']> }
  | { ConditionCheck: WithoutTable<TransactItem['ConditionCheck']> };

/**
 * One write of a transaction, without its table: the data modules build these and only the
 * table client (here) names the table. `alongside` are writes of other items that must commit
 * with it (an entry's value item beside the entry, its environment's revision bump): they go
 * after every write given, once per item, so a caller's indexes into `reasons` stay those of its
 * own writes.
 */
export type TableWrite = Operation & { alongside?: Operation[] };

export interface CancellationReason {
  code: string;
  /** The item as it was, for operations that asked for ReturnValuesOnConditionCheckFailure. */
  item?: Record<string, unknown>;
}

/** A transaction cancelled because one of its conditions failed; `reasons` align with the writes, then what goes alongside. */
export class TransactionFailed extends Error {
  constructor(readonly reasons: CancellationReason[]) {
    super('transaction cancelled');
    this.name = 'TransactionFailed';
  }

  /** The index of the first failed condition, or -1. */
  failedAt(): number {
    return this.reasons.findIndex((r) => r.code === 'ConditionalCheckFailed');
  }
}

const MAX_CONFLICT_ATTEMPTS = 8;

/** What goes alongside the writes, once per item: several writes may ask for the same companion (a revision bump). */
function alongsideOf(writes: TableWrite[]): Operation[] {
  const byItem = new Map<string, Operation>();
  for (const write of writes.flatMap((w) => w.alongside ?? [])) {
    const key = keyOf(write);
    if (!byItem.has(key)) byItem.set(key, write);
  }
  return [...byItem.values()];
}

function keyOf(write: Operation): string {
  const key =
    'Put' in write
      ? write.Put.Item
      : 'Update' in write
        ? write.Update.Key
        : 'Delete' in write
          ? write.Delete.Key
          : write.ConditionCheck.Key;
  return `${String(key?.pk)}|${String(key?.sk)}`;
}

function onTable(tableName: string, write: Operation): TransactItem {
  if ('Put' in write) return { Put: { ...write.Put, TableName: tableName } };
  if ('Update' in write) return { Update: { ...write.Update, TableName: tableName } };
  if ('Delete' in write) return { Delete: { ...write.Delete, TableName: tableName } };
  return { ConditionCheck: { ...write.ConditionCheck, TableName: tableName } };
}

/**
 * One TransactWriteItems. A transaction that lost a race with another one on the same
 * items (TransactionConflict) is tried again after a jittered pause; the SDK does not
 * retry those. A failed condition is thrown as TransactionFailed for the caller to explain.
 */
export async function transactWrite(db: Db, writes: TableWrite[]): Promise<void> {
  const items = [...writes, ...alongsideOf(writes)].map((write) => onTable(db.tableName, write));
  for (let attempt = 1; ; attempt++) {
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      const reasons: CancellationReason[] = (err.CancellationReasons ?? []).map((r) => ({
        code: r.Code ?? 'None',
        ...(r.Item ? { item: unmarshall(r.Item) } : {}),
      }));
      if (reasons.some((r) => r.code === 'ConditionalCheckFailed')) throw new TransactionFailed(reasons);
      const retryable = reasons.some((r) => r.code === 'TransactionConflict' || r.code === 'ThrottlingError');
      if (!retryable || attempt >= MAX_CONFLICT_ATTEMPTS) {
        throw new DependencyUnavailableError('transaction could not commit', { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** Math.min(attempt, 5)));
    }
  }
}
