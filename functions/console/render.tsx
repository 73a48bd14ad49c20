import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Layout, PageHeader } from './components/layout.js';

/** A whole HTML document. */
export const page = (c: Context, node: Child, status: ContentfulStatusCode = 200) =>
  c.html(html`<!DOCTYPE html>${node}`, status);

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad request',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  422: 'Not valid',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Unavailable',
};

/** A page for an error no form can show beside a field: the error in words, and a way back. */
export function errorPage(c: Context, status: ContentfulStatusCode, message: string, signedIn = true) {
  const title = TITLES[status] ?? 'Error';
  return page(
    c,
    <Layout title={title}>
      <PageHeader title={title} />
      <div class="card">
        <p class="page-error" role="alert">
          {message}
        </p>
        <p>
          {signedIn ? (
            <>
              <a href="/console">Go to Keys &amp; Secrets</a> or <a href="/console/environments">Environments</a>.
            </>
          ) : (
            <a href="/console/signin">Go to sign in</a>
          )}
        </p>
      </div>
    </Layout>,
    status,
  );
}
