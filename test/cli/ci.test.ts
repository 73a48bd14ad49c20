import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../local/addresses.js';
import { useAnsweringProxies } from './answering-proxy.js';
import { tempDir, useCliHarness } from './harness.js';

/** prime in a CI job: bounded waits, retries where they are safe, exit codes a script can act on. */
const h = useCliHarness();
const startProxy = useAnsweringProxies(() => h.baseUrl);

/** A server that accepts connections and never answers on them. */
let silent: Server;
const held: Socket[] = [];
beforeAll(async () => {
  silent = createServer((socket) => held.push(socket));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((done) => silent.close(done));
});

describe('a server that does not answer', () => {
  it('ends the command after PRIME_TIMEOUT with exit code 5', async () => {
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const [read, write] = await Promise.all([
      h.run(['secret', 'list'], { env: { PRIME_BASE_URL: url, PRIME_TIMEOUT: '0.5' } }),
      h.run(['secret', 'create', '-n', 'NEVER', '-v', 'hunter2'], {
        env: { PRIME_BASE_URL: url, PRIME_TIMEOUT: '0.5' },
      }),
    ]);
    for (const r of [read, write]) {
      expect(r).toMatchObject({
        code: 5,
        stdout: '',
        stderr: `Error: No answer from the API at ${url} within 0.5 s (PRIME_TIMEOUT).\n`,
      });
    }
  });

  it('exits 5 when nothing listens, and 2 for a PRIME_TIMEOUT that is not a number of seconds', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const refused = await h.run(['whoami'], { env: { PRIME_BASE_URL: url } });
    expect(refused).toMatchObject({
      code: 5,
      stderr: `Error: Cannot reach the API at ${url}: connect ECONNREFUSED ${url.slice(7)}\n`,
    });
    const invalid = await h.run(['whoami'], { env: { PRIME_TIMEOUT: '30s' } });
    expect(invalid).toMatchObject({
      code: 2,
      stderr: "Error: Invalid PRIME_TIMEOUT '30s': give the seconds a request may take, e.g. 30.\n",
    });
  });
});

describe('retries', () => {
  it('reads again after a 503 with Retry-After, and succeeds', async () => {
    let gets = 0;
    const proxy = await startProxy(async (req) =>
      req.method === 'GET' && ++gets === 1
        ? {
            status: 503,
            headers: { 'retry-after': '1' },
            body: { detail: 'A dependency is unavailable', code: 'unavailable' },
          }
        : 'forward',
    );
    const r = await h.run(['whoami', '-o', 'json'], { env: { PRIME_BASE_URL: proxy.url } });
    expect(r).toMatchObject({ code: 0, stderr: 'The service is unavailable: waiting 1s…\n' });
    expect(JSON.parse(r.stdout).slug).toBe('dev');
    expect(gets).toBe(2);
  });

  it('sends a create once after a 503 (it may have been written), and again after a 429 (it was not)', async () => {
    const posts: string[] = [];
    const proxy = await startProxy(async (req) => {
      if (req.method !== 'POST') return 'forward';
      posts.push(req.url ?? '');
      if (posts.length === 1) {
        return {
          status: 503,
          headers: { 'retry-after': '1' },
          body: { detail: 'A dependency is unavailable or throttling. Retry later.', code: 'unavailable' },
        };
      }
      if (posts.length === 2) {
        return {
          status: 429,
          headers: { 'retry-after': '1' },
          body: { detail: 'Too many requests', code: 'rate_limited' },
        };
      }
      return 'forward';
    });
    const env = { PRIME_BASE_URL: proxy.url };
    const unavailable = await h.run(['secret', 'create', '-n', 'ONCE', '-v', 'hunter2'], { env });
    expect(unavailable).toMatchObject({
      code: 1,
      stderr: 'Error: A dependency is unavailable or throttling. Retry later. (Retry-After: 1 s)\n',
    });
    expect(posts).toHaveLength(1);
    const limited = await h.run(['secret', 'create', '-n', 'ONCE', '-v', 'hunter2', '-o', 'json'], { env });
    expect(limited).toMatchObject({ code: 0, stderr: 'Rate limited by the service: waiting 1s…\n' });
    expect(JSON.parse(limited.stdout).name).toBe('ONCE');
    expect(posts).toHaveLength(3);
  });

  it('does not wait a Retry-After longer than a minute, and stops after 3 retries', async () => {
    let gets = 0;
    const proxy = await startProxy(async (req) => {
      if (req.method === 'GET') gets++;
      return {
        status: 429,
        headers: { 'retry-after': req.url?.includes('whoami') ? '3600' : '0' },
        body: { detail: 'Too many requests', code: 'rate_limited' },
      };
    });
    const env = { PRIME_BASE_URL: proxy.url };
    const long = await h.run(['whoami'], { env });
    expect(long).toMatchObject({ code: 1, stderr: 'Error: Too many requests (Retry-After: 3600 s)\n' });
    expect(gets).toBe(1);
    const always = await h.run(['secret', 'list'], { env });
    expect(always.code).toBe(1);
    expect(always.stderr.split('\n')).toEqual([
      ...Array(3).fill('Rate limited by the service: waiting 0s…'),
      'Error: Too many requests (Retry-After: 0 s)',
      '',
    ]);
    expect(gets).toBe(1 + 4);
  });
});

describe('a 5xx', () => {
  it('names its request id, the one to quote when reporting it; a 4xx, or an id that is no id, does not', async () => {
    // Answers in the service's place, each with an X-Request-Id header.
    const answers: Record<string, { status: number; headers: Record<string, string>; body: unknown }> = {
      '/api/v1/user/whoami': {
        status: 500,
        headers: { 'x-request-id': 'JrxFXhBqoAMEV0Q=' },
        body: { detail: 'Internal error.', code: 'internal' },
      },
      '/api/v1/secrets/': {
        status: 503,
        headers: { 'retry-after': '1', 'x-request-id': 'a2b3c4d5e6f7g2h3i4j5k6l7' },
        body: { detail: 'Unavailable.', code: 'unavailable' },
      },
      '/api/v1/user/teams': {
        status: 404,
        headers: { 'x-request-id': 'n2o3p4q5r6s7t2u3v4w5x6y7' },
        body: { detail: 'Not found.', code: 'not_found' },
      },
    };
    const proxy = await startProxy(async (req) => answers[req.url?.split('?')[0] ?? ''] ?? 'forward');
    const env = { PRIME_BASE_URL: proxy.url };
    expect(await h.run(['whoami'], { env })).toMatchObject({
      code: 1,
      stderr: 'Error: Internal error. (request id: JrxFXhBqoAMEV0Q=)\n',
    });
    expect(await h.run(['secret', 'create', '-n', 'FAILS', '-v', 'x'], { env })).toMatchObject({
      code: 1,
      stderr: 'Error: Unavailable. (Retry-After: 1 s) (request id: a2b3c4d5e6f7g2h3i4j5k6l7)\n',
    });
    expect(await h.run(['teams', 'list'], { env })).toMatchObject({ code: 3, stderr: 'Error: Not found.\n' });

    answers['/api/v1/user/whoami']!.headers['x-request-id'] = 'two words';
    expect(await h.run(['whoami'], { env })).toMatchObject({ code: 1, stderr: 'Error: Internal error.\n' });
  });
});

describe('exit codes', () => {
  it('tells success, a reported failure, usage, not found and auth apart, as --help says', async () => {
    const viewer = await h.svc.teamMember('ci-viewer', 'viewer');
    const [ok, taken, unknownOption, badFormat, noCommand, notFound, badKey, noKey, readOnly, help] = await Promise.all(
      [
        h.run(['secret', 'create', '-n', 'TAKEN', '-v', 'hunter2']),
        h.run(['env', 'create', 'my-environment']),
        h.run(['secret', 'list', '--colour']),
        h.run(['secret', 'list', '-o', 'yaml']),
        h.run(['secret']),
        h.run(['secret', 'get', 'no-such-secret']),
        h.run(['whoami'], { key: 'prime_not_a_key' }),
        h.run(['whoami'], { key: null, home: tempDir('prime-cli-nokey-') }),
        h.run(['secret', 'create', '-n', 'VIEWER', '-v', 'hunter2'], {
          key: viewer.key,
          env: { PRIME_TEAM_ID: h.svc.seed.team.id },
        }),
        h.run(['--help']),
      ],
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Error: .*already/) });
    expect(unknownOption).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("error: unknown option '--colour'"),
    });
    expect(badFormat).toMatchObject({ code: 2, stderr: "Error: Invalid output format 'yaml': use table or json.\n" });
    expect(noCommand.code).toBe(2);
    expect(notFound).toMatchObject({
      code: 3,
      stderr: "Error: No secret named or with id 'no-such-secret' in your personal scope.\n",
    });
    expect(badKey).toMatchObject({ code: 4, stderr: 'Error: Missing or invalid API key.\n' });
    expect(noKey).toMatchObject({
      code: 4,
      stderr: 'Error: No API key configured. Run prime login or set PRIME_API_KEY.\n',
    });
    expect(readOnly.code, readOnly.stderr).toBe(4);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      [
        'Exit codes:',
        '  0  success',
        '  1  the service reported a failure (or another failure)',
        '  2  usage: unknown command or option, missing or malformed argument',
        '  3  not found',
        '  4  authentication or permission: no API key, a refused key, a role that may not do this',
        '  5  the service could not be reached or did not answer in time (PRIME_TIMEOUT)',
      ].join('\n'),
    );
  });
});

describe('prime completion', () => {
  it('completes commands and options in bash and zsh, and prints a fish script', async () => {
    const dir = tempDir('prime-cli-completion-');
    const scripts = await Promise.all(['bash', 'zsh', 'fish'].map((shell) => h.run(['completion', shell])));
    for (const [i, shell] of ['bash', 'zsh', 'fish'].entries()) {
      expect(scripts[i]?.code).toBe(0);
      writeFileSync(join(dir, shell), scripts[i]?.stdout ?? '');
    }
    const exec = promisify(execFile);
    const bash = async (line: string) => {
      const words = line.split(' ');
      const script = `source ${join(dir, 'bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _prime; echo "\${COMPREPLY[*]}"`;
      return (await exec('bash', ['-c', script])).stdout.trim().split(' ');
    };
    expect(await bash('prime se')).toEqual(['secret']);
    expect(await bash('prime env secret l')).toEqual(['list', 'link']);
    expect(await bash('prime --plain env run --')).toEqual(
      expect.arrayContaining(['--keep-prime-env', '--mask', '--help']),
    );
    expect(await bash('prime config ')).toEqual(expect.arrayContaining(['use', 'save', 'envs', 'view']));
    const zsh = await exec('zsh', ['-c', `compdef() { :; }; source ${join(dir, 'zsh')}; _prime_words 'env var'`]);
    expect(zsh.stdout.trim().split(' ')).toEqual(expect.arrayContaining(['create', 'list', 'import', '--help']));
    expect(scripts[2]?.stdout).toContain("complete -c prime -f -a '(__prime_complete)'");
    expect(scripts[2]?.stdout).toMatch(/case 'env secret'\n +echo .*\blink\b/);

    const unknown = await h.run(['completion', 'tcsh']);
    expect(unknown).toMatchObject({ code: 2, stderr: "Error: Unknown shell 'tcsh': use bash, zsh or fish.\n" });
  });
});
