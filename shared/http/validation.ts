import type { ZodError } from 'zod';
import type { ValidationIssue } from '../errors.js';

const LOCATIONS: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header' };

/** zod issues in the contract's FastAPI-style shape: `{loc, msg, type}`. */
export function toValidationIssues(target: string, error: ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    loc: [LOCATIONS[target] ?? target, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    msg: issue.code === 'invalid_type' && issue.input === undefined ? 'Field required' : issue.message,
    type: issue.code === 'invalid_type' && issue.input === undefined ? 'missing' : issue.code,
  }));
}
