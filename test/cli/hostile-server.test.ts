import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnPrime, tempDir } from './prime-process.js';

/**
 * `prime env run` and `env secret pull` against a server that lies: runtime sets with names the
 * service itself never accepts (shared/schemas.ts). The CLI must refuse them before writing
 * anything, inside its private folder or out of it.
 */
const CANARY = 'pwned';
const base64 = (text: string) => Buffer.from(text).toString('base64');
const RUNTIME_SETS: Record<string, { env: Record<string, string>; files: string[] }> = {
  honest: { env: { CERT: base64('cert'), LOG_LEVEL: 'debug' }, files: ['CERT'] },
  'file-escapes': { env: { LOG_LEVEL: 'debug', '../x': base64('written outside') }, files: ['../x'] },
  'variable-name': { env: { LOG_LEVEL: 'debug', 'A=B': 'v' }, files: [] },
  'dotenv-line': { env: { [`X='1'\ntouch ${CANARY}\nY`]: 'v' }, files: [] },
};

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const slug = /^\/api\/v1\/environmentshub\/dev\/([^/]+)\/@latest$/.exec(req.url ?? '');
    const runtime = /^\/api\/v1\/environmentshub\/([^/]+)\/runtime$/.exec(req.url ?? '');
    const set = RUNTIME_SETS[slug?.[1] ?? runtime?.[1] ?? ''];
    const data = slug
      ? { id: slug[1], owner: 'dev', name: slug[1] }
      : { environmentId: runtime?.[1], ...set, sources: {}, resolvedAt: new Date().toISOString() };
    res.writeHead(set ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(set ? { data } : { detail: 'not found' }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** `prime ARGS…` in a fresh folder, with its own temporary folder inside it (TMPDIR). */
async function prime(args: string[]) {
  const dir = tempDir('prime-cli-hostile-');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const env = { PATH: process.env.PATH, HOME: dir, TMPDIR: tmp, PRIME_BASE_URL: baseUrl, PRIME_API_KEY: 'key' };
  const result = await spawnPrime(args, env, { cwd: dir }).result;
  // tsx (cli/bin/prime.js) keeps its compile cache in TMPDIR too.
  const left = { dir: readdirSync(dir).sort(), tmp: readdirSync(tmp).filter((name) => !name.startsWith('tsx-')) };
  return { ...result, dir, left };
}

const PRINT = [
  process.execPath,
  '-e',
  'console.log(process.env.LOG_LEVEL, require("fs").readFileSync(process.env.CERT, "utf8"))',
];

describe('names from the server', () => {
  it('runs an honest set and leaves nothing behind (the control)', async () => {
    const r = await prime(['env', 'run', 'dev/honest', '--', ...PRINT]);
    expect(r).toMatchObject({ code: 0, stdout: 'debug cert\n', stderr: '' });
    expect(r.left).toEqual({ dir: ['tmp'], tmp: [] });
  });

  it('refuses a file secret or a variable whose name the service would refuse, before writing anything', async () => {
    const [escapes, variable] = await Promise.all([
      prime(['env', 'run', 'dev/file-escapes', '--', ...PRINT]),
      prime(['env', 'run', 'dev/variable-name', '--', ...PRINT]),
    ]);
    expect(escapes).toMatchObject({ code: 1, stdout: '' });
    expect(escapes.stderr).toBe(
      'Error: The API sent an invalid name "../x" (must start with an uppercase letter and contain only uppercase ' +
        'letters, digits and underscores): nothing was written.\n',
    );
    expect(escapes.left).toEqual({ dir: ['tmp'], tmp: [] });
    expect(variable).toMatchObject({ code: 1, stdout: '' });
    expect(variable.stderr).toMatch(/^Error: The API sent an invalid name "A=B" /);
    expect(variable.left).toEqual({ dir: ['tmp'], tmp: [] });
  });

  it('refuses to pull a set with such a name, in either format, and writes no file', async () => {
    const [dotenv, json] = await Promise.all([
      prime(['env', 'secret', 'pull', 'dev/dotenv-line', '--file', '.env']),
      prime(['env', 'secret', 'pull', 'dev/dotenv-line', '--format', 'json']),
    ]);
    for (const r of [dotenv, json]) {
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toMatch(/^Error: The API sent an invalid name "X='1'\\ntouch pwned\\nY" /);
      expect(r.left).toEqual({ dir: ['tmp'], tmp: [] });
    }
    expect(existsSync(join(dotenv.dir, CANARY))).toBe(false);
  });
});
