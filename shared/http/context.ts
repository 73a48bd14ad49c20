import type { Principal } from '../auth/principal.js';

/** What the middleware puts on a request's context for the routes. */
export interface AppEnv {
  Variables: {
    principal: Principal;
    /**
     * On the routes a runtime token may call: the caller's rate limit while it is counted in the
     * table, for the handler to await beside its first read (shared/http/resource-app.ts).
     */
    admitted: Promise<void> | undefined;
  };
}
