import type { Db } from '../../shared/storage/client.js';

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

/**
 * Counts the capacity units DynamoDB reports for every call of `db` (ReturnConsumedCapacity
 * asked on each) while `counting` is on: read units, and write units apart. DynamoDB Local
 * reports a call's units as CapacityUnits only, so the command tells which they are.
 */
export function meterReadUnits(db: Db) {
  const meter = { read: 0, write: 0, counting: false };
  db.raw.middlewareStack.add(
    (next, context) => async (args) => {
      if (!meter.counting) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      const isWrite = WRITES.has((context.commandName ?? '').replace(/Command$/, ''));
      for (const c of [consumed ?? []].flat()) {
        if (isWrite) meter.write += c.WriteCapacityUnits ?? c.CapacityUnits ?? 0;
        else meter.read += c.ReadCapacityUnits ?? c.CapacityUnits ?? 0;
      }
      return out;
    },
    { step: 'initialize' },
  );
  const round = (units: number) => Math.round(units * 10) / 10;
  const capacityOf = async (operation: () => Promise<unknown>) => {
    meter.read = 0;
    meter.write = 0;
    meter.counting = true;
    try {
      await operation();
    } finally {
      meter.counting = false;
    }
    return { read: round(meter.read), write: round(meter.write) };
  };
  return {
    /** The read units `operation` consumed, to a tenth. */
    of: async (operation: () => Promise<unknown>) => (await capacityOf(operation)).read,
    /** The read and write units `operation` consumed, to a tenth. */
    capacityOf,
  };
}
