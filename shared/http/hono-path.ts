/**
 * `{param}` → `:param`: a path of the route table (functions/routes.ts, written as API Gateway and
 * OpenAPI write it) as Hono writes it. A file of its own so that the runtime bundle, which needs
 * only this, does not carry the whole route table.
 */
export const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
