import type { Db } from '../../shared/storage/client.js';

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/**
 * Counts the read units DynamoDB reports for every call of `db` (ReturnConsumedCapacity asked
 * on each) while `counting` is on. DynamoDB Local reports a read's units as CapacityUnits only.
 */
export function meterReadUnits(db: Db) {
  const meter = { units: 0, counting: false };
  db.raw.middlewareStack.add(
    (next) => async (args) => {
      if (!meter.counting) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      for (const c of [consumed ?? []].flat())
        meter.units += c.ReadCapacityUnits ?? (c.WriteCapacityUnits ? 0 : (c.CapacityUnits ?? 0));
      return out;
    },
    { step: 'initialize' },
  );
  return {
    /** The read units `operation` consumed, to a tenth. */
    async of(operation: () => Promise<unknown>): Promise<number> {
      meter.units = 0;
      meter.counting = true;
      try {
        await operation();
      } finally {
        meter.counting = false;
      }
      return Math.round(meter.units * 10) / 10;
    },
  };
}
