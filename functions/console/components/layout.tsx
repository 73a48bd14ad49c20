import type { Child } from 'hono/jsx';
import { CsrfField } from './fields.js';

export const STYLESHEET_PATH = '/console/assets/console.css';

export interface Viewer {
  /** The user's id: what the versions of a value name their author by. */
  id: string;
  name: string;
  slug: string;
  csrfToken: string;
}

type Section = 'secrets' | 'environments' | 'api-keys';

interface LayoutProps {
  title: string;
  /** The signed-in user; absent on the sign-in page. */
  viewer?: Viewer | undefined;
  section?: Section | undefined;
  /** The team whose scope the navigation keeps (null or absent: personal). */
  teamId?: string | null | undefined;
  notice?: string | undefined;
  children: Child;
}

export const withTeam = (path: string, teamId: string | null | undefined) =>
  teamId ? `${path}?teamId=${encodeURIComponent(teamId)}` : path;

/** The page frame: skip link, header with the sections and sign-out, the notice, the content. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Prime Secrets`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <TopBar viewer={props.viewer} section={props.section} teamId={props.teamId} />
        <main id="main" tabindex={-1}>
          <div role="status" aria-live="polite" class={props.notice ? 'notice' : 'notice-empty'}>
            {props.notice ?? ''}
          </div>
          {props.children}
        </main>
      </body>
    </html>
  );
}

function TopBar(props: Pick<LayoutProps, 'viewer' | 'section' | 'teamId'>) {
  const { viewer, teamId } = props;
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <a class="brand" href={withTeam('/console', teamId)}>
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Prime Secrets
        </a>
        {viewer ? <SectionsNav section={props.section} teamId={teamId} /> : null}
        {viewer ? <SignOutForm viewer={viewer} /> : null}
      </div>
    </header>
  );
}

/** The sections, each keeping the scope the user is in (API keys are the user's own, of no scope). */
function SectionsNav(props: Pick<LayoutProps, 'section' | 'teamId'>) {
  const { section, teamId } = props;
  return (
    <nav class="sections" aria-label="Sections">
      <ul>
        <li>
          <a href={withTeam('/console', teamId)} aria-current={section === 'secrets' ? 'page' : undefined}>
            Keys &amp; Secrets
          </a>
        </li>
        <li>
          <a
            href={withTeam('/console/environments', teamId)}
            aria-current={section === 'environments' ? 'page' : undefined}
          >
            Environments
          </a>
        </li>
        <li>
          <a href="/console/keys" aria-current={section === 'api-keys' ? 'page' : undefined}>
            API keys
          </a>
        </li>
      </ul>
    </nav>
  );
}

function SignOutForm(props: { viewer: Viewer }) {
  const { viewer } = props;
  return (
    <form class="signout" method="post" action="/console/signout">
      <span class="who">
        {viewer.name} <span class="muted">({viewer.slug})</span>
      </span>
      <CsrfField token={viewer.csrfToken} />
      <button type="submit" class="button button-quiet">
        Sign out
      </button>
    </form>
  );
}

/** A heading with an optional line under it. */
export function PageHeader(props: { title: Child; lead?: Child; crumbs?: { href: string; label: string }[] }) {
  return (
    <div class="page-header">
      {props.crumbs ? (
        <nav aria-label="Breadcrumb" class="crumbs">
          <ol>
            {props.crumbs.map((c) => (
              <li>
                <a href={c.href}>{c.label}</a>
              </li>
            ))}
          </ol>
        </nav>
      ) : null}
      <h1>{props.title}</h1>
      {props.lead ? <p class="lead">{props.lead}</p> : null}
    </div>
  );
}
