import type { Hono } from 'hono';
import { STYLESHEET_PATH } from '../components/layout.js';
import type { ConsoleEnv } from '../context.js';
import { COPY_SCRIPT, COPY_SCRIPT_PATH } from '../copy-script.js';
import { STYLESHEET } from '../stylesheet.js';

export function registerAssetRoutes(app: Hono<ConsoleEnv>): void {
  app.get(STYLESHEET_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(STYLESHEET);
  });
  app.get(COPY_SCRIPT_PATH, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(COPY_SCRIPT);
  });
}
