import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerType } from '@hono/node-server';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/build.js';
import { serveLocal } from '../../infra/local/server.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The OpenAPI document as a client's generator meets it: openapi-typescript turns the document
 * the service serves into types, a small program calls the service through openapi-fetch with
 * them, the TypeScript compiler checks that program (and refuses one that misuses the types), and
 * the program runs against the local server over HTTP.
 */

/** What a client of the generated types writes: whoami, a secret made and listed, a typed 409. */
const TOUR = `import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

type ErrorCode = components['schemas']['Error']['code'];

export async function tour(baseUrl: string, key: string) {
  const api = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${key}\` } });
  const me = await api.GET('/api/v1/user/whoami');
  const created = await api.POST('/api/v1/secrets', {
    body: { name: 'CLIENT_TOUR', value: 'from the typed client', description: 'made through openapi-fetch' },
  });
  const listed = await api.GET('/api/v1/secrets', { params: { query: { limit: 10 } } });
  const again = await api.POST('/api/v1/secrets', { body: { name: 'CLIENT_TOUR', value: 'again' } });
  const code: ErrorCode | undefined = again.error?.code;
  const anonymous = await createClient<paths>({ baseUrl }).GET('/api/v1/user/whoami');
  return {
    slug: me.data?.data.slug,
    created: created.data?.data.name,
    listed: listed.data?.data.map((secret) => secret.name),
    conflict: { status: again.response.status, code },
    anonymous: { status: anonymous.response.status, code: anonymous.error?.code },
  };
}
`;

/** Misuses the generated types; each marked line must be refused by the compiler. */
const MISUSE = `import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

const api = createClient<paths>({ baseUrl: 'http://localhost' });
export const code: components['schemas']['Error']['code'] = 'no_such_code'; // refused
export const route = api.GET('/api/v1/no-such-route'); // refused
export const body = api.POST('/api/v1/secrets', { body: { name: 42, value: 'v' } }); // refused
`;

let svc: TestService;
let server: ServerType;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  svc = await startTestService();
  server = serveLocal(svc.deps, { hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Inside the project, so the program resolves openapi-fetch from its node_modules; not committed.
  mkdirSync(join(PROJECT_ROOT, 'test-results'), { recursive: true });
  dir = mkdtempSync(join(PROJECT_ROOT, 'test-results', 'openapi-client-'));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The compiler's complaints about `file`, under the project's own compiler options. */
function typeErrors(file: string): { line: number; message: string }[] {
  const { config } = ts.readConfigFile(join(PROJECT_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, PROJECT_ROOT);
  const program = ts.createProgram([file], options);
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    line: d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : 0,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
}

describe('a client generated from the OpenAPI document', () => {
  it('is typed by openapi-typescript and calls the service through openapi-fetch', async () => {
    const res = await fetch(`${baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    writeFileSync(join(dir, 'api.d.ts'), astToString(await openapiTS(await res.text())));
    writeFileSync(join(dir, 'tour.ts'), TOUR);
    writeFileSync(join(dir, 'misuse.ts'), MISUSE);

    expect(typeErrors(join(dir, 'tour.ts'))).toEqual([]);
    const refused = typeErrors(join(dir, 'misuse.ts'));
    const marked = MISUSE.split('\n').flatMap((line, i) => (line.endsWith('// refused') ? [i + 1] : []));
    expect([...new Set(refused.map((e) => e.line))].sort()).toEqual(marked);
    expect(refused.find((e) => e.line === marked[0])?.message).toContain('no_such_code');

    const { tour } = (await import(pathToFileURL(join(dir, 'tour.ts')).href)) as {
      tour: (baseUrl: string, key: string) => Promise<Record<string, unknown>>;
    };
    expect(await tour(baseUrl, svc.seed.user.apiKey)).toEqual({
      slug: svc.seed.user.slug,
      created: 'CLIENT_TOUR',
      listed: expect.arrayContaining(['CLIENT_TOUR']),
      conflict: { status: 409, code: 'name_taken' },
      anonymous: { status: 401, code: 'unauthorized' },
    });
  });
});
