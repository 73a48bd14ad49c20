import type { Resource } from '../../functions/routes.js';

/** `environment-secrets` → `EnvironmentSecrets`, for construct ids. */
export const constructName = (resource: Resource) =>
  resource.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
