/**
 * What a synchronous Lambda invocation may return: the JSON of the handler's result, in which the
 * body is a string, so every byte of a JSON body is escaped a second time (`"` → `\"` → `\\\"`).
 */
export const LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;
/** Room for the envelope's other fields and the headers beside the body. */
const ENVELOPE_ROOM = 16 * 1024;
/** The most a body may take inside the envelope. */
export const RESPONSE_BODY_BUDGET = LAMBDA_RESPONSE_BYTES - ENVELOPE_ROOM;

/** What a value's JSON adds to the function's response, escaped again inside the envelope's body string. */
export const envelopedBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(JSON.stringify(value))) - 2;

/**
 * The first items of a list page whose JSON fits the response beside the list's other fields:
 * a page of large values (a hundred variables of 64,000 bytes) stops early, as the contract's
 * paging allows; the client pages on from offset + the items received.
 */
export function withinResponseBudget<T>(items: T[]): T[] {
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    used += envelopedBytes(items[i]) + 1;
    if (used > RESPONSE_BODY_BUDGET && i > 0) return items.slice(0, i);
  }
  return items;
}
