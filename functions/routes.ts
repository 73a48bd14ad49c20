/**
 * The one route table: which resource (one Lambda each) serves which method and path. The
 * local server dispatches by it and the CDK stack wires API Gateway from it. Paths are
 * written without a trailing slash; every route also answers with one.
 */
export const RESOURCES = [
  'accounts',
  'environments',
  'global-secrets',
  'environment-secrets',
  'environment-variables',
  'runtime',
  'runtime-tokens',
  'audit',
  'console',
  'console-keys',
] as const;
export type Resource = (typeof RESOURCES)[number];

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: Method;
  /** API Gateway and OpenAPI style: `{param}` segments. */
  path: string;
  resource: Resource;
  /**
   * Whether the route works without an API key. For the API this repeats its OpenAPI definition
   * (no `security`), which is what the app enforces; test/api/openapi.test.ts holds them together.
   */
  public?: true;
  /** The contract writes it with a trailing slash (`/secrets/`), as real clients call it. */
  slashed?: true;
}

const V1 = '/api/v1';
const ENV = `${V1}/environmentshub/{envId}`;
const CONSOLE_ENV = '/console/environments/{envId}';

const CONSOLE_ROUTES: [Method, string][] = [
  ['GET', '/console'],
  ['GET', '/console/assets/console.css'],
  ['GET', '/console/assets/copy.js'],
  ['GET', '/console/signin'],
  ['POST', '/console/signin'],
  ['POST', '/console/signout'],
  ['POST', '/console/secrets'],
  ['GET', '/console/secrets/{id}'],
  ['POST', '/console/secrets/{id}'],
  ['POST', '/console/secrets/{id}/delete'],
  ['POST', '/console/secrets/{id}/rollback'],
  ['POST', '/console/secrets/{id}/restore'],
  ['POST', '/console/secrets/{id}/links'],
  ['POST', '/console/secrets/{id}/links/{envId}/delete'],
  ['POST', '/console/file-secrets'],
  ['GET', '/console/environments'],
  ['POST', '/console/environments'],
  ['GET', CONSOLE_ENV],
  ['POST', `${CONSOLE_ENV}/delete`],
  ['POST', `${CONSOLE_ENV}/file-secrets`],
  ['GET', `${CONSOLE_ENV}/secrets`],
  ['POST', `${CONSOLE_ENV}/secrets`],
  ['GET', `${CONSOLE_ENV}/secrets/{id}`],
  ['POST', `${CONSOLE_ENV}/secrets/{id}`],
  ['POST', `${CONSOLE_ENV}/secrets/{id}/delete`],
  ['POST', `${CONSOLE_ENV}/secrets/{id}/rollback`],
  ['POST', `${CONSOLE_ENV}/secrets/{id}/restore`],
  ['POST', `${CONSOLE_ENV}/links`],
  ['POST', `${CONSOLE_ENV}/links/{secretId}/delete`],
  ['GET', `${CONSOLE_ENV}/requirements`],
  ['POST', `${CONSOLE_ENV}/requirements`],
  ['POST', `${CONSOLE_ENV}/requirements/{name}/delete`],
  ['GET', `${CONSOLE_ENV}/variables`],
  ['POST', `${CONSOLE_ENV}/variables`],
  ['GET', `${CONSOLE_ENV}/variables/{id}`],
  ['POST', `${CONSOLE_ENV}/variables/{id}`],
  ['POST', `${CONSOLE_ENV}/variables/{id}/delete`],
  ['POST', `${CONSOLE_ENV}/variables/{id}/rollback`],
  ['POST', `${CONSOLE_ENV}/variables/{id}/restore`],
  ['GET', `${CONSOLE_ENV}/job-view`],
  ['GET', `${CONSOLE_ENV}/deleted`],
];

/** The console's API keys page: a function of its own, which writes credentials and opens no value. */
const CONSOLE_KEY_ROUTES: [Method, string][] = [
  ['GET', '/console/keys'],
  ['POST', '/console/keys'],
  ['POST', '/console/keys/{id}/revoke'],
];

/** The console's functions: HTML pages, not in the OpenAPI document, each public to the key middleware. */
export const CONSOLE_RESOURCES: readonly Resource[] = ['console', 'console-keys'];

/** The versions, rollback and restore of a value, under its own path. */
const historyRoutes = (path: string, resource: Resource): RouteSpec[] => [
  { method: 'GET', path: `${path}/versions`, resource },
  { method: 'POST', path: `${path}/rollback`, resource },
  { method: 'POST', path: `${path}/restore`, resource },
];

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: `${V1}/health`, resource: 'accounts', public: true },
  { method: 'GET', path: `${V1}/health/deep`, resource: 'accounts' },
  // The OpenAPI document of the whole API, built on its first request (functions/accounts/app.ts).
  { method: 'GET', path: '/openapi.json', resource: 'accounts', public: true },
  { method: 'GET', path: `${V1}/user/whoami`, resource: 'accounts' },
  { method: 'GET', path: `${V1}/user/teams`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/teams`, resource: 'accounts' },
  { method: 'GET', path: `${V1}/teams/{teamId}/members`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/teams/{teamId}/members`, resource: 'accounts' },
  { method: 'PATCH', path: `${V1}/teams/{teamId}/members/{userId}`, resource: 'accounts' },
  { method: 'DELETE', path: `${V1}/teams/{teamId}/members/{userId}`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/user/api-keys`, resource: 'accounts' },
  { method: 'GET', path: `${V1}/user/api-keys`, resource: 'accounts' },
  { method: 'DELETE', path: `${V1}/user/api-keys/{id}`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/admin/users`, resource: 'accounts' },
  { method: 'GET', path: `${V1}/admin/users`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/admin/users/{userId}/disable`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/admin/users/{userId}/enable`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/admin/users/{userId}/api-keys`, resource: 'accounts' },
  { method: 'GET', path: `${V1}/admin/api-keys`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/admin/api-keys`, resource: 'accounts' },
  { method: 'DELETE', path: `${V1}/admin/api-keys/{id}`, resource: 'accounts' },
  { method: 'POST', path: `${V1}/admin/service-keys`, resource: 'accounts' },
  { method: 'GET', path: `${V1}/admin/service-keys`, resource: 'accounts' },
  { method: 'DELETE', path: `${V1}/admin/service-keys/{id}`, resource: 'accounts' },

  { method: 'POST', path: `${V1}/environmentshub`, resource: 'environments' },
  { method: 'GET', path: `${V1}/environmentshub`, resource: 'environments' },
  { method: 'GET', path: `${V1}/environmentshub/{owner}/{name}/@latest`, resource: 'environments' },
  { method: 'DELETE', path: ENV, resource: 'environments' },
  { method: 'GET', path: `${ENV}/requirements`, resource: 'environments' },
  { method: 'PUT', path: `${ENV}/requirements/{name}`, resource: 'environments' },
  { method: 'DELETE', path: `${ENV}/requirements/{name}`, resource: 'environments' },

  { method: 'GET', path: `${V1}/secrets`, resource: 'global-secrets', slashed: true },
  { method: 'POST', path: `${V1}/secrets`, resource: 'global-secrets', slashed: true },
  { method: 'GET', path: `${V1}/secrets/{id}`, resource: 'global-secrets' },
  { method: 'PATCH', path: `${V1}/secrets/{id}`, resource: 'global-secrets' },
  { method: 'DELETE', path: `${V1}/secrets/{id}`, resource: 'global-secrets' },
  ...historyRoutes(`${V1}/secrets/{id}`, 'global-secrets'),
  { method: 'GET', path: `${V1}/data-keys`, resource: 'global-secrets' },
  { method: 'POST', path: `${V1}/data-keys/rotate`, resource: 'global-secrets' },

  { method: 'GET', path: `${ENV}/secrets`, resource: 'environment-secrets' },
  { method: 'POST', path: `${ENV}/secrets`, resource: 'environment-secrets' },
  { method: 'PATCH', path: `${ENV}/secrets/{id}`, resource: 'environment-secrets' },
  { method: 'DELETE', path: `${ENV}/secrets/{id}`, resource: 'environment-secrets' },
  ...historyRoutes(`${ENV}/secrets/{id}`, 'environment-secrets'),
  { method: 'POST', path: `${ENV}/secrets/link/{globalSecretId}`, resource: 'environment-secrets' },
  { method: 'DELETE', path: `${ENV}/secrets/link/{globalSecretId}`, resource: 'environment-secrets' },

  { method: 'GET', path: `${ENV}/variables`, resource: 'environment-variables' },
  { method: 'POST', path: `${ENV}/variables`, resource: 'environment-variables' },
  { method: 'PATCH', path: `${ENV}/variables/{id}`, resource: 'environment-variables' },
  { method: 'DELETE', path: `${ENV}/variables/{id}`, resource: 'environment-variables' },
  ...historyRoutes(`${ENV}/variables/{id}`, 'environment-variables'),

  { method: 'GET', path: `${ENV}/runtime`, resource: 'runtime' },
  { method: 'GET', path: `${ENV}/runtime/check`, resource: 'runtime' },

  { method: 'POST', path: `${ENV}/runtime-tokens`, resource: 'runtime-tokens' },
  { method: 'GET', path: `${ENV}/runtime-tokens`, resource: 'runtime-tokens' },
  { method: 'DELETE', path: `${ENV}/runtime-tokens/{id}`, resource: 'runtime-tokens' },

  { method: 'GET', path: `${V1}/audit`, resource: 'audit' },
  { method: 'GET', path: `${V1}/admin/audit`, resource: 'audit' },

  // The web console: HTML pages and forms. Public to API Gateway and to the bearer-key
  // middleware: the console authenticates by its own session cookie (functions/console).
  ...CONSOLE_ROUTES.map(([method, path]): RouteSpec => ({ method, path, resource: 'console', public: true })),
  ...CONSOLE_KEY_ROUTES.map(([method, path]): RouteSpec => ({ method, path, resource: 'console-keys', public: true })),
];

/**
 * A route's OpenAPI `operationId`, from its method and path (less the `/api/v1` prefix): stable
 * while the route is, unique as method and path are, camelCase. A `{param}` reads `By<Param>`:
 * `GET /api/v1/secrets/{id}/versions` is `getSecretsByIdVersions`.
 */
export function operationIdOf(route: Pick<RouteSpec, 'method' | 'path'>): string {
  const words = route.path
    .replace(new RegExp(`^${V1}(?=/)`), '')
    .split('/')
    .flatMap((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      return param ? ['by', param[1]!] : segment.split(/[^A-Za-z0-9]+/);
    })
    .filter((word) => word !== '');
  return [route.method.toLowerCase(), ...words.map((word) => word[0]!.toUpperCase() + word.slice(1))].join('');
}
