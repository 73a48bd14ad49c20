import { withTeam } from './layout.js';

export interface Scope {
  /** null: the caller's personal scope. */
  teamId: string | null;
  label: string;
  role: 'owner' | 'admin' | 'member' | 'viewer';
}

export const canWrite = (scope: Scope) => scope.role !== 'viewer';

/**
 * The team switcher: the caller's personal scope and each of their teams, as links that keep
 * the current page (plain links: keyboard and screen-reader friendly, no script).
 */
export function ScopeSwitcher(props: { scopes: Scope[]; current: Scope; path: string }) {
  return (
    <nav class="scopes" aria-label="Scope: personal or team">
      <span class="scopes-label" aria-hidden="true">
        Scope
      </span>
      <ul>
        {props.scopes.map((scope) => (
          <li>
            <a
              href={withTeam(props.path, scope.teamId)}
              aria-current={scope.teamId === props.current.teamId ? 'page' : undefined}
            >
              {scope.teamId ? `Team ${scope.label}` : `Personal · ${scope.label}`}
              <span class="role">{scope.role}</span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
