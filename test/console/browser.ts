import { expect } from 'vitest';
import type { TestService } from '../support/service.js';

/**
 * A browser without script, as the console's in-process tests drive it: a cookie jar, form
 * posts with the session's CSRF token, redirects followed by hand.
 */

const ORIGIN = 'http://localhost';

/** What the browser is pointed at: an app that answers a Request (svc.app of test/support/service.ts). */
interface App {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

export interface Page {
  status: number;
  location: string | null;
  html: string;
  headers: Headers;
  setCookies: string[];
}

/** A browser of one: its own cookies, same-origin requests unless told otherwise. */
export class Browser {
  constructor(private readonly app: App) {}

  readonly cookies = new Map<string, string>();

  /** A form is sent url-encoded, as a plain HTML form is; FormData as multipart, as a form with a file is. */
  async request(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string> | FormData,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const multipart = form instanceof FormData;
    const res = await this.app.request(path, {
      method,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(method === 'POST' ? { origin: ORIGIN, 'sec-fetch-site': 'same-origin' } : {}),
        // Multipart's content type (with its boundary) is the body's own.
        ...(method === 'POST' && !multipart ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: multipart ? form : form ? new URLSearchParams(form).toString() : undefined,
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (attributes.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: res.status,
      location: res.headers.get('location'),
      html: await res.text(),
      headers: res.headers,
      setCookies,
    };
  }

  get = (path: string) => this.request('GET', path);

  /** A form post carrying the CSRF token of the page the form is on. */
  async submit(pageHtml: string, action: string, fields: Record<string, string>, headers?: Record<string, string>) {
    return this.request('POST', action, { _csrf: csrfOf(pageHtml), ...fields }, headers);
  }

  /** A multipart form post with one file (`bytes` as `file.name`), carrying the page's CSRF token. */
  async upload(
    pageHtml: string,
    action: string,
    fields: Record<string, string>,
    file: { field: string; name: string; bytes: Uint8Array },
  ): Promise<Page> {
    const form = new FormData();
    for (const [name, value] of Object.entries({ _csrf: csrfOf(pageHtml), ...fields })) form.append(name, value);
    form.append(file.field, new File([file.bytes], file.name, { type: 'application/octet-stream' }));
    return this.request('POST', action, form);
  }

  async signIn(apiKey: string): Promise<Page> {
    const form = await this.get('/console/signin');
    const res = await this.submit(form.html, '/console/signin', { apiKey });
    expect(res.status, res.html).toBe(303);
    return res;
  }
}

export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** The text of an element with this id (tags stripped, entities of the tests' strings only). */
export function textOf(html: string, id: string): string | undefined {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return match?.[1]
    ?.replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');
}

/** The page's notice (the flash after a redirect), or undefined when it has none. */
export const noticeOf = (html: string) =>
  textOf(html.replace(/<div role="status"/, '<div id="notice"'), 'notice') || undefined;

/** A browser of the test service's console, signed in with `apiKey` (the seeded user's by default). */
export async function signedInTo(svc: TestService, apiKey = svc.seed.user.apiKey): Promise<Browser> {
  const browser = new Browser(svc.app);
  await browser.signIn(apiKey);
  return browser;
}
