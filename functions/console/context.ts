import type { Context } from 'hono';
import type { UserPrincipal } from '../../shared/auth/authorization.js';
import type { Deps } from '../../shared/deps.js';
import { notFound } from '../../shared/errors.js';
import { compareText } from '../../shared/pagination.js';
import { whoami } from '../../shared/services/users.js';
import type { Viewer } from './components/layout.js';
import type { Scope } from './components/scope-switcher.js';
import { takeFlash } from './cookies.js';
import type { ConsoleSession } from '../../shared/services/console-sessions.js';

/** What the console's middleware puts on a request's context. */
export interface ConsoleEnv {
  Variables: {
    /** The signed-in session (set on every page and form but the sign-in ones). */
    session: ConsoleSession;
    /** A POST's form fields, parsed once while checking its CSRF token. */
    fields: Record<string, string>;
  };
}

export type ConsoleContext = Context<ConsoleEnv>;

export interface PageContext {
  viewer: Viewer;
  scopes: Scope[];
  notice: string | undefined;
  /** How many days something deleted can be restored (RECOVERY_DAYS). */
  recoveryDays: number;
}

/** The signed-in user, their scopes (personal and each team, with their role), any notice, the recovery window. */
export async function pageContext(c: ConsoleContext, deps: Deps): Promise<PageContext> {
  const session = c.get('session');
  const me = await whoami(deps, session.principal);
  const scopes: Scope[] = [
    { teamId: null, label: me.slug, role: 'owner' },
    ...me.scope.teams
      .map((t): Scope => ({ teamId: t.teamId, label: t.slug, role: t.role }))
      .sort((a, b) => compareText(a.label, b.label)),
  ];
  return {
    viewer: { id: me.id, name: me.name, slug: me.slug, csrfToken: session.csrfToken },
    scopes,
    notice: takeFlash(c),
    recoveryDays: deps.config.recoveryDays,
  };
}

/** The signed-in user, as the service functions are called. */
export const principalOf = (c: ConsoleContext): UserPrincipal => c.get('session').principal;

/** The scope a `teamId` names among the caller's; a team they are not in is not found. */
export function scopeOf(scopes: Scope[], teamId: string | null | undefined): Scope {
  const scope = scopes.find((s) => s.teamId === (teamId || null));
  if (!scope) throw notFound('Team');
  return scope;
}

/** The `teamId` a page or form names: the query of a GET, the hidden field of a POST. */
export function requestedTeam(c: ConsoleContext): string | undefined {
  const fromForm = c.req.method === 'POST' ? c.get('fields')?.teamId : undefined;
  return (fromForm ?? c.req.query('teamId')) || undefined;
}
