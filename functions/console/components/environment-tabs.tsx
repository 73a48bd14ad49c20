import { environmentPath } from './environment-link.js';

/**
 * An environment's tabs, each a page of its own under the environment's path (the Secrets
 * tab is the environment's own). A tab's add form posts to the tab's path (the Secrets tab's:
 * `/secrets`, which opens that tab too), so the address a refused submit leaves in the
 * browser opens the same tab again.
 */
export const ENVIRONMENT_TABS = {
  secrets: { label: 'Secrets', path: '' },
  variables: { label: 'Variables', path: '/variables' },
  requirements: { label: 'Requirements', path: '/requirements' },
  'job-view': { label: 'What the job will see', path: '/job-view' },
  deleted: { label: 'Recently deleted', path: '/deleted' },
} as const;

export type EnvironmentTab = keyof typeof ENVIRONMENT_TABS;

export const tabPath = (envId: string, tab: EnvironmentTab) => `${environmentPath(envId)}${ENVIRONMENT_TABS[tab].path}`;

/** The tabs as links, the current one marked for assistive technology (`aria-current`) and by its look. */
export function EnvironmentTabs(props: { envId: string; current: EnvironmentTab }) {
  return (
    <nav class="tabs" aria-label="Environment">
      <ul>
        {(Object.keys(ENVIRONMENT_TABS) as EnvironmentTab[]).map((tab) => (
          <li>
            <a href={tabPath(props.envId, tab)} aria-current={tab === props.current ? 'page' : undefined}>
              {ENVIRONMENT_TABS[tab].label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
