import type { Context, MiddlewareHandler, TypedResponse } from 'hono';
import { gzipSync } from 'node:zlib';
import { payloadTooLarge } from '../errors.js';
import { LAMBDA_RESPONSE_BYTES, RESPONSE_BODY_BUDGET } from '../response-size.js';

/**
 * A body as it can leave: as it is, gzipped (base64 through API Gateway, a third larger) when the
 * caller accepts gzip and the plain body would not fit, or undefined when neither fits. A UTF-16
 * unit becomes at most 7 bytes in the envelope (a control character: `\u0001` → `\\u0001`), so
 * a short body is passed without measuring it.
 */
export function fitBody(
  body: string,
  acceptsGzip: boolean,
): { body: string; encoding: undefined } | { body: Uint8Array; encoding: 'gzip' } | undefined {
  if (body.length * 7 <= RESPONSE_BODY_BUDGET) return { body, encoding: undefined };
  if (Buffer.byteLength(JSON.stringify(body)) - 2 <= RESPONSE_BODY_BUDGET) return { body, encoding: undefined };
  if (!acceptsGzip) return undefined;
  const compressed = gzipSync(body);
  return Math.ceil(compressed.length / 3) * 4 <= RESPONSE_BODY_BUDGET
    ? { body: new Uint8Array(compressed), encoding: 'gzip' }
    : undefined;
}

const acceptsGzip = (c: Context) => /\bgzip\b/i.test(c.req.header('accept-encoding') ?? '');

/**
 * A JSON response that fits what Lambda can return (compressed when it must and may be), or the
 * 413 `tooLarge` describes.
 */
export function fittedJson<T>(
  c: Context,
  payload: T,
  status: 200,
  tooLarge: () => string,
): Response & TypedResponse<T, 200, 'json'> {
  const fitted = fitBody(JSON.stringify(payload), acceptsGzip(c));
  if (!fitted) throw payloadTooLarge(tooLarge());
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    // Measured here already: fitLambdaResponses passes a body whose length it is told.
    'content-length': String(typeof fitted.body === 'string' ? Buffer.byteLength(fitted.body) : fitted.body.length),
  };
  if (fitted.encoding) headers['content-encoding'] = fitted.encoding;
  // Typed as what it carries, like c.json's answer, for the route's OpenAPI response type.
  return c.body(fitted.body as string, status, headers) as unknown as Response & TypedResponse<T, 200, 'json'>;
}

/**
 * Every text response of an app (JSON and the console's HTML) held to what Lambda can return:
 * gzipped when it must be and the caller accepts it, else 413. Lists stop early by size
 * (shared/pagination.ts), so this is the net under anything else that could grow.
 */
export function fitLambdaResponses(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    const type = res.headers.get('content-type') ?? '';
    if (res.body === null || res.headers.has('content-encoding') || !/json|text|html/.test(type)) return;
    const length = Number(res.headers.get('content-length') ?? Number.NaN);
    if (length * 7 <= RESPONSE_BODY_BUDGET) return;
    const text = await res.clone().text();
    const fitted = fitBody(text, acceptsGzip(c));
    if (!fitted) {
      throw payloadTooLarge(
        `The response would take more than Lambda's ${LAMBDA_RESPONSE_BYTES} bytes as the function returns it${acceptsGzip(c) ? ', even compressed' : '; a client that accepts gzip may get it compressed'}.`,
      );
    }
    if (fitted.encoding === undefined) return;
    const headers = new Headers(res.headers);
    headers.set('content-encoding', fitted.encoding);
    headers.delete('content-length');
    // Unset first: Hono copies the old response's headers onto a new one, its length included.
    c.res = undefined;
    c.res = new Response(fitted.body, { status: res.status, headers });
  };
}
