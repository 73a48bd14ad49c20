import { withinResponseBudget } from './response-size.js';

/**
 * The contract's list paging as its body: `offset` and `limit` over a list, with its total; a
 * page stops early when more items would not fit the response (shared/response-size.ts).
 */
export function pageBody<T>(items: T[], query: { offset: number; limit: number }): { data: T[]; totalCount: number } {
  return {
    data: withinResponseBudget(items.slice(query.offset, query.offset + query.limit)),
    totalCount: items.length,
  };
}

/** Code-point order (not locale collation, which may ignore punctuation in keys and timestamps). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
