import type { Principal } from '../../shared/auth/principal.js';
import type { Deps } from '../../shared/deps.js';
import { createAdminKey, createServiceKey, issueUserKey, TABLE_OPERATOR } from '../../shared/services/api-keys.js';
import { createTeam } from '../../shared/services/teams.js';
import { createUser } from '../../shared/services/users.js';
import { createEnvironment } from '../../shared/services/environments.js';

/** What `npm start` writes to `DATA_DIR/dev-credentials.json` on first start. */
export interface DevCredentials {
  baseUrl: string;
  adminKey: string;
  serviceKey: string;
  /**
   * `apiKey` holds `manage` only (no values), `runtimeKey` also `runtime`, and `accountKey`, the key
   * the admin issued with the user, every scope.
   */
  user: { id: string; slug: string; apiKey: string; runtimeKey: string; accountKey: string };
  team: { id: string; slug: string };
  environments: {
    personal: { id: string; owner: string; name: string };
    team: { id: string; owner: string; name: string };
  };
}

/**
 * A development admin, a user, a team with that user as admin, a personal and a team
 * environment, and keys for each kind of caller, made through the same service functions
 * the routes use.
 */
export async function seedDevelopmentData(
  deps: Deps,
  baseUrl: string,
  names: { userSlug?: string; teamSlug?: string } = {},
): Promise<DevCredentials> {
  const admin = await createAdminKey(deps, TABLE_OPERATOR, 'development admin');
  const adminPrincipal: Principal = { type: 'admin', keyId: admin.id };
  const userSlug = names.userSlug ?? 'dev';
  const { user, apiKey: accountKey } = await createUser(deps, adminPrincipal, {
    email: `${userSlug}@example.com`,
    name: 'Development User',
    slug: userSlug,
  });
  const manage = await issueUserKey(deps, adminPrincipal, user, { name: 'manage', scopes: ['manage'] });
  const runtime = await issueUserKey(deps, adminPrincipal, user, { name: 'runtime', scopes: ['manage', 'runtime'] });
  const userPrincipal: Principal = { type: 'user', userId: user.id, keyId: manage.id, scopes: manage.scopes };
  const team = await createTeam(deps, userPrincipal, {
    name: 'Development Team',
    slug: names.teamSlug ?? `${userSlug}-team`,
  });
  const personal = await createEnvironment(deps, userPrincipal, { name: 'my-environment' });
  const teamEnv = await createEnvironment(deps, userPrincipal, { name: 'team-environment', teamId: team.id });
  const service = await createServiceKey(deps, adminPrincipal, { service: 'environment-actions', name: 'development' });
  return {
    baseUrl,
    adminKey: admin.key,
    serviceKey: service.key,
    user: { id: user.id, slug: user.slug, apiKey: manage.key, runtimeKey: runtime.key, accountKey },
    team: { id: team.id, slug: team.slug },
    environments: {
      personal: { id: personal.id, owner: personal.owner, name: personal.name },
      team: { id: teamEnv.id, owner: teamEnv.owner, name: teamEnv.name },
    },
  };
}
