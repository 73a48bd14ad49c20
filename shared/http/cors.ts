/**
 * Which browsers' pages may call the API, when an operator allows origins at all (off by
 * default). API Gateway applies it in AWS (infra/cdk/secrets-stack.ts), the local server through
 * Hono's cors (infra/local/server.ts). Never with credentials: a page elsewhere cannot ride the
 * console's session cookie, only send a key it holds itself.
 */
export const CORS_POLICY = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  /** What clients send: the key, JSON bodies, optimistic updates and a job's id. */
  allowHeaders: ['authorization', 'content-type', 'if-match', 'x-job-id'],
  /** What clients read besides the body: the id to quote in an error report, and when to retry. */
  exposeHeaders: ['x-request-id', 'retry-after'],
  maxAgeSeconds: 3600,
} as const;

/** `CORS_ALLOWED_ORIGINS=https://a.example,https://b.example`, as the local server and the CDK app read it. */
export const originsFrom = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
