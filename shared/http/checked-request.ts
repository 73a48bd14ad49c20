import type { Context } from 'hono';
import { validationError } from '../errors.js';
import { flagIssues, textIssues, type RuleIssue, type TextRule } from '../rules.js';

/**
 * A request's path, query and headers checked by the rules of shared/rules.ts without zod, for
 * an app whose cold start loads none (functions/runtime/app.ts): a refusal is the 422 a zod
 * schema built from the same rule gives (shared/http/validation.ts), located alike. Each part
 * refuses on its own, so a route checks them in the order zod-openapi does: query, path, headers.
 */

/** A query flag (`?name=true`), false when absent. */
export function queryFlag(c: Context, name: string): boolean {
  const given = c.req.queries(name);
  // Given once it is a text, more often a list: what a zod schema of the query is handed.
  const value = given?.length === 1 ? given[0] : given;
  refuse(['query', name], flagIssues(value));
  return value === 'true';
}

/** A path parameter by its text rule. */
export function pathText(c: Context, name: string, rule: TextRule): string {
  const value = c.req.param(name) ?? '';
  refuse(['path', name], textIssues(rule, value));
  return value;
}

/** An optional header by its text rule; `name` in lowercase, as the contract locates it. */
export function headerText(c: Context, name: string, rule: TextRule): string | undefined {
  const value = c.req.header(name);
  if (value !== undefined) refuse(['header', name], textIssues(rule, value));
  return value;
}

function refuse(loc: string[], issues: RuleIssue[]): void {
  if (issues.length > 0) throw validationError(issues.map((issue) => ({ loc, ...issue })));
}
