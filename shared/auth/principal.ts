import type { HostedService, KeyScope } from '../schemas.js';

/** Who is calling, as established by the API key. */
export type Principal =
  | { type: 'user'; userId: string; keyId: string; scopes: KeyScope[] }
  | { type: 'service'; service: HostedService; keyId: string }
  | { type: 'admin'; keyId: string };

/** How a principal appears in audit events: who, and by which key (a rogue key is told apart). */
export function actorOf(principal: Principal): { type: Principal['type']; id: string; keyId: string } {
  switch (principal.type) {
    case 'user':
      return { type: 'user', id: principal.userId, keyId: principal.keyId };
    case 'service':
      return { type: 'service', id: principal.service, keyId: principal.keyId };
    case 'admin':
      return { type: 'admin', id: principal.keyId, keyId: principal.keyId };
  }
}
