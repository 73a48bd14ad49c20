import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';

/** Where the swagger-ui-dist package (pinned in package.json) keeps its built files. */
const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The package's files the page loads, and their types: nothing else of the folder is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** The page's own script, a file rather than inline so the page's policy allows scripts of this origin only. */
const initializer = (documentUrl: string) =>
  `window.ui = SwaggerUIBundle(${JSON.stringify({ url: documentUrl, dom_id: '#swagger-ui', deepLinking: true })});\n`;

const page = (title: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/initializer.js"></script>
  </body>
</html>
`;

const POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/**
 * `npm start`'s API docs: Swagger UI at `/docs` over the OpenAPI document at `documentUrl`, its
 * script and styles served from the installed package (`/docs/<file>`), not from a CDN.
 */
export function registerDocs(app: Hono, documentUrl: string, title: string): void {
  app.get('/docs', (c) => c.html(page(title), 200, { 'Content-Security-Policy': POLICY }));
  app.get('/docs/initializer.js', (c) =>
    c.body(initializer(documentUrl), 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/docs/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (type === undefined) return c.notFound();
    return c.body(await readFile(join(DIST, file)), 200, { 'Content-Type': type });
  });
}
