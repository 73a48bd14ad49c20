import type { Hono } from 'hono';
import type { Deps } from '../shared/deps.js';
import { API_APP_FACTORIES } from './api-apps.js';
import { createConsoleApp } from './console/app.js';
import { createConsoleKeysApp } from './console/keys-app.js';
import type { Resource } from './routes.js';

/**
 * Every resource's app, by the route table's names (the local server serves them all): the
 * API's OpenAPIHono apps, and the console, a plain Hono app of HTML pages with a context of its
 * own (its session).
 */
// biome-ignore lint/suspicious/noExplicitAny: each app has its own context and schema types; this table only serves them
export const APP_FACTORIES: Record<Resource, (deps: Deps) => Hono<any, any, any>> = {
  ...API_APP_FACTORIES,
  console: createConsoleApp,
  'console-keys': createConsoleKeysApp,
};
