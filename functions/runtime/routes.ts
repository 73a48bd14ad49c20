import { securityWithRuntimeToken } from '../../shared/http/api-app.js';

/**
 * The runtime resource's routes as both their app (functions/runtime/app.ts) and their OpenAPI
 * declarations (functions/runtime/openapi.ts) take them: method, path and the keys they accept,
 * written once. A job's runtime token may call both.
 */
export const RUNTIME_READ = {
  method: 'get' as const,
  path: '/api/v1/environmentshub/{envId}/runtime' as const,
  security: securityWithRuntimeToken,
};

export const RUNTIME_CHECK = {
  method: 'get' as const,
  path: '/api/v1/environmentshub/{envId}/runtime/check' as const,
  security: securityWithRuntimeToken,
};
