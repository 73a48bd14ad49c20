import { z } from '@hono/zod-openapi';
import { ErrorBody } from '../api-objects.js';

/** Building blocks of route definitions: request bodies, success envelopes, the error responses. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
});

export const dataOf = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: z.object({ data: schema }) } },
});

export const listOf = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema: z.object({ data: z.array(schema), totalCount: z.number().int() }) } },
});

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });

export const errorResponses = {
  400: error('Malformed JSON (`bad_request`)'),
  401: error('Missing, unknown or revoked API key (`unauthorized`)'),
  403: error('Visible, but the caller may not change it (`forbidden`)'),
  404: error('Not found, or not visible to the caller (`not_found`)'),
  409: error(
    'Conflict: `name_taken`, `scope_mismatch`, `already_linked`, `is_linked`, `slug_taken`, `last_admin`, `last_admin_key`',
  ),
  413: error('Body over 256 KiB, or runtime payload over 5 MiB (`payload_too_large`)'),
  422: error('Validation error, FastAPI style (`validation_error`)'),
  500: error('Internal error (`internal`), with no detail of the cause'),
  503: error('A dependency is down or throttling (`unavailable`), with Retry-After'),
} as const;

/** What a route declares when it needs an API key; shared/http/resource-app.ts enforces it. */
export const security = [{ bearer: [] }];

/**
 * What a route declares when a job's runtime token may call it instead of an API key: the
 * runtime read and check only. Every other route refuses a token with 401.
 */
export const securityWithRuntimeToken = [...security, { runtimeToken: [] }];

export const acceptsRuntimeToken = (declared: readonly Record<string, unknown>[]) =>
  declared.some((scheme) => 'runtimeToken' in scheme);
