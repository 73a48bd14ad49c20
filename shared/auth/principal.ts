import type { HostedService, KeyScope } from '../schemas.js';

/** Who is calling, as established by the API key. */
export type Principal =
  | { type: 'user'; userId: string; keyId: string; scopes: KeyScope[] }
  | { type: 'service'; service: HostedService; keyId: string }
  | { type: 'admin'; keyId: string }
  /**
   * A job's runtime token (`keyId` is the token's id): reads one environment's runtime set until
   * `expiresAt`, each read audited with `jobId` (shared/services/runtime-tokens.ts).
   */
  | RuntimeTokenPrincipal;

export type RuntimeTokenPrincipal = {
  type: 'runtime-token';
  keyId: string;
  envId: string;
  jobId: string;
  expiresAt: string;
};

/** How a principal appears in audit events: who, and by which key (a rogue key is told apart). */
export function actorOf(principal: Principal): { type: Principal['type']; id: string; keyId: string } {
  switch (principal.type) {
    case 'user':
      return { type: 'user', id: principal.userId, keyId: principal.keyId };
    case 'service':
      return { type: 'service', id: principal.service, keyId: principal.keyId };
    case 'admin':
    case 'runtime-token':
      return { type: principal.type, id: principal.keyId, keyId: principal.keyId };
  }
}
