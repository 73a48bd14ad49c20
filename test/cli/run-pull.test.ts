import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, useCliHarness, type RunOptions } from './harness.js';
import { parseDotenv } from './dotenv-parser.js';

const h = useCliHarness();
let runtimeKey: string;
const ENV = 'dev/my-environment';
const CERT = Buffer.from([0, 1, 2, 255, 10, 13, 0x41]);
/** Values that need quoting and escaping in a dotenv file. */
const TRICKY: Record<string, string> = {
  PLAIN: 'simple',
  SPACES_AND_HASH: '  padded # not a comment  ',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${PATH} that the dotenv file must not expand
  DOLLARS: 'pa$$word $HOME ${PATH}',
  NEWLINES: 'line one\nline two\n',
  DOUBLE_QUOTES: 'say "hi"',
  SINGLE_QUOTE: "it's",
  BOTH_QUOTES: `it's "both"`,
  BACKSLASHES: 'C:\\dir\\file \\n not a newline',
  TRAILING_BACKSLASH: 'ends with \\',
  EVERYTHING: `it's "x" $HOME \${PATH} # \\ \`cmd\`\nsecond line\r\nthird`,
  EQUALS: 'a=b=c',
};
/** What no dotenv quoting gives back unchanged to every reader (cli/dotenv.ts). */
const NOT_DOTENV = ['BOTH_QUOTES', 'EVERYTHING', 'NEWLINES'];
/** The environment pulled as dotenv: the rest of TRICKY, and a file secret. */
const PULLED = 'dev-team/team-environment';

beforeAll(async () => {
  runtimeKey = h.svc.seed.user.runtimeKey;
  const { call, seed } = h.svc;
  const envId = seed.environments.personal.id;
  const key = seed.user.apiKey;
  const add = async (path: string, body: object, id = envId) => {
    const res = await call('POST', `/api/v1/environmentshub/${id}/${path}`, { key, body });
    expect(res.status).toBe(201);
  };
  await add('variables', { name: 'LOG_LEVEL', value: 'from-hub' });
  await add('secrets', { name: 'DB_PASSWORD', value: 'hunter2' });
  await add('secrets', { name: 'CERT', value: CERT.toString('base64'), isFile: true });
  for (const [name, value] of Object.entries(TRICKY)) await add('variables', { name, value });
  const pulledId = seed.environments.team.id;
  await add('secrets', { name: 'CERT', value: CERT.toString('base64'), isFile: true }, pulledId);
  for (const [name, value] of Object.entries(TRICKY)) {
    if (!NOT_DOTENV.includes(name)) await add('variables', { name, value }, pulledId);
  }
});

const asRuntime = (options: RunOptions = {}): RunOptions => ({ key: runtimeKey, ...options });

/** A child that prints what `prime env run` gave it, with its file secret's path, content and modes. */
const PRINT_ENV = `
const fs = require('node:fs'), path = require('node:path');
const cert = process.env.CERT;
const file = cert && fs.existsSync(cert) ? {
  content: fs.readFileSync(cert).toString('base64'),
  mode: fs.statSync(cert).mode & 0o777,
  dirMode: fs.statSync(path.dirname(cert)).mode & 0o777,
} : null;
console.log(JSON.stringify({ LOG_LEVEL: process.env.LOG_LEVEL, DB_PASSWORD: process.env.DB_PASSWORD,
  DOLLARS: process.env.DOLLARS, NEWLINES: process.env.NEWLINES, INHERITED: process.env.INHERITED, cert, file }));
`;

describe('prime env run', () => {
  it('runs the command with the resolved set over the inherited environment; file secrets are private and removed', async () => {
    const r = await h.run(
      ['env', 'run', ENV, '--', process.execPath, '-e', PRINT_ENV],
      asRuntime({
        env: { LOG_LEVEL: 'inherited', INHERITED: 'kept' },
      }),
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const seen = JSON.parse(r.stdout);
    expect(seen).toMatchObject({
      LOG_LEVEL: 'from-hub',
      DB_PASSWORD: 'hunter2',
      DOLLARS: TRICKY.DOLLARS,
      NEWLINES: TRICKY.NEWLINES,
      INHERITED: 'kept',
      file: { content: CERT.toString('base64'), mode: 0o600, dirMode: 0o700 },
    });
    expect(existsSync(seen.cert)).toBe(false);
    expect(existsSync(dirname(seen.cert))).toBe(false);
  });

  it('lets inherited values win with --preserve-env', async () => {
    const r = await h.run(
      ['env', 'run', ENV, '--preserve-env', '--', process.execPath, '-e', PRINT_ENV],
      asRuntime({ env: { LOG_LEVEL: 'inherited', CERT: '/my/own/cert' } }),
    );
    const seen = JSON.parse(r.stdout);
    expect(seen).toMatchObject({ LOG_LEVEL: 'inherited', DB_PASSWORD: 'hunter2', cert: '/my/own/cert', file: null });
  });

  it('passes the exit code and a fatal signal through, removing file secrets either way', async () => {
    const [exit7, killed, notFound, noCommand] = await Promise.all([
      h.run(['env', 'run', ENV, '--', process.execPath, '-e', 'process.exit(7)'], asRuntime()),
      h.run(
        [
          'env',
          'run',
          ENV,
          '--',
          process.execPath,
          '-e',
          'console.log(process.env.CERT); process.kill(process.pid, "SIGTERM")',
        ],
        asRuntime(),
      ),
      h.run(['env', 'run', ENV, '--', 'no-such-command-for-prime'], asRuntime()),
      h.run(['env', 'run', ENV], asRuntime()),
    ]);
    expect(exit7).toMatchObject({ code: 7, signal: null, stderr: '' });
    expect(killed.signal).toBe('SIGTERM');
    const certPath = killed.stdout.trim();
    expect(certPath).toMatch(/prime-run-/);
    expect(existsSync(certPath)).toBe(false);
    expect(notFound).toMatchObject({
      code: 127,
      stderr: "Error: Cannot run 'no-such-command-for-prime': command not found.\n",
    });
    expect(noCommand).toMatchObject({ code: 2 });
    expect(noCommand.stderr).toBe(
      'Error: Give the command to run after --, e.g. prime env run owner/name -- npm start\n',
    );
  });

  it('forwards a signal it receives to the command', async () => {
    const handler = `process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(3); });
      console.log('ready'); setInterval(() => {}, 1000);`;
    const running = h.spawn(['env', 'run', ENV, '--', process.execPath, '-e', handler], asRuntime());
    await until(() => running.output.stdout.includes('ready'));
    running.child.kill('SIGTERM');
    const r = await running.result;
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('ready\nchild got SIGTERM\n');
  });

  it('needs a key with the runtime scope, and only env run takes arguments after --', async () => {
    const [manageKey, stray] = await Promise.all([
      h.run(['env', 'run', ENV, '--', process.execPath, '-e', '']),
      h.run(['env', 'list', '--', 'echo', 'hi']),
    ]);
    expect(manageKey.code).toBe(4);
    expect(manageKey.stderr).toMatch(/^Error: Reading runtime values needs .*runtime scope/);
    expect(stray.stderr).toBe('Error: Unexpected arguments after --: only prime env run takes a command.\n');
  });
});

describe('prime env run and names that run code', () => {
  const RISKY = { NODE_OPTIONS: '--no-deprecation', GIT_SSH_COMMAND: 'touch pwned', DYLD_INSERT_LIBRARIES: '/x.dylib' };
  const allow = (...names: string[]) => names.flatMap((name) => ['--allow-name', name]);
  const print = [process.execPath, '-e', 'console.log(process.env.NODE_OPTIONS, process.env.GIT_SSH_COMMAND)'];

  beforeAll(async () => {
    const { call, seed } = h.svc;
    const key = seed.user.apiKey;
    const created = await call('POST', '/api/v1/environmentshub', { key, body: { name: 'risky' } });
    for (const [name, value] of Object.entries(RISKY)) {
      const res = await call('POST', `/api/v1/environmentshub/${created.body.data.id}/variables`, {
        key,
        body: { name, value },
      });
      expect(res.status).toBe(201);
    }
  });

  it('refuses them unless each is allowed with --allow-name, and lists them in --help', async () => {
    const [refused, partly, allowed, help] = await Promise.all([
      h.run(['env', 'run', 'dev/risky', '--', ...print], asRuntime()),
      h.run(['env', 'run', 'dev/risky', ...allow('NODE_OPTIONS', 'GIT_SSH_COMMAND'), '--', ...print], asRuntime()),
      h.run(['env', 'run', 'dev/risky', ...allow(...Object.keys(RISKY)), '--', ...print], asRuntime()),
      h.run(['env', 'run', '--help']),
    ]);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe(
      'Error: Not running: dev/risky sets DYLD_INSERT_LIBRARIES, GIT_SSH_COMMAND, NODE_OPTIONS, which make programs ' +
        'load or run code the value names. If you trust everyone who can write dev/risky, pass --allow-name ' +
        'DYLD_INSERT_LIBRARIES --allow-name GIT_SSH_COMMAND --allow-name NODE_OPTIONS.\n',
    );
    expect(partly).toMatchObject({ code: 1, stdout: '' });
    expect(partly.stderr).toMatch(/^Error: Not running: dev\/risky sets DYLD_INSERT_LIBRARIES, which /);
    expect(allowed).toMatchObject({ code: 0, stdout: '--no-deprecation touch pwned\n', stderr: '' });
    expect(help.stdout).toContain('--allow-name <NAME>');
    for (const name of ['LD_*', 'DYLD_*', 'PATH', 'NODE_OPTIONS', 'PYTHONPATH', 'BASH_ENV', 'GIT_*']) {
      expect(help.stdout).toContain(name);
    }
  });
});

describe('prime env secret pull', () => {
  it('writes dotenv that a dotenv parser reads back unchanged, and JSON', async () => {
    const [dotenv, json, service] = await Promise.all([
      h.run(['env', 'secret', 'pull', PULLED], asRuntime()),
      h.run(['env', 'secret', 'pull', PULLED, '--format', 'json'], asRuntime()),
      h.svc.call('GET', `/api/v1/environmentshub/${h.svc.seed.environments.team.id}/runtime`, {
        key: h.svc.seed.serviceKey,
      }),
    ]);
    const resolved = service.body.data.env as Record<string, string>;
    expect(dotenv).toMatchObject({ code: 0, stderr: '' });
    expect(parseDotenv(dotenv.stdout, { HOME: '/home/x', PATH: '/bin' })).toEqual(resolved);
    expect(parseEnv(dotenv.stdout)).toEqual(resolved);
    for (const [name, value] of Object.entries(TRICKY)) {
      if (!NOT_DOTENV.includes(name)) expect(resolved[name]).toBe(value);
    }
    expect(dotenv.stdout).toContain('# CERT: base64 content of a file secret\n');
    expect(JSON.parse(json.stdout)).toEqual(resolved);
  });

  it('refuses dotenv for values no quoting gives back to every reader, naming them; JSON takes any', async () => {
    const [dotenv, json] = await Promise.all([
      h.run(['env', 'secret', 'pull', ENV, '--file', join(tempDir('prime-cli-pull-'), '.env')], asRuntime()),
      h.run(['env', 'secret', 'pull', ENV, '--format', 'json'], asRuntime()),
    ]);
    expect(dotenv).toMatchObject({ code: 1, stdout: '' });
    expect(dotenv.stderr).toMatch(
      /^Error: Cannot write BOTH_QUOTES, EVERYTHING, NEWLINES as dotenv .* Use --format json\.\n$/,
    );
    expect(JSON.parse(json.stdout)).toMatchObject(TRICKY);
  });

  it('writes a file with mode 0600, also over a wider existing one with --yes', async () => {
    const path = join(tempDir('prime-cli-pull-'), '.env');
    const fresh = join(tempDir('prime-cli-pull-'), '.env');
    writeFileSync(path, 'OLD=1\n', { mode: 0o644 });
    const [written, created, badFormat] = await Promise.all([
      h.run(['env', 'secret', 'pull', PULLED, '--file', path, '--yes'], asRuntime()),
      h.run(['env', 'secret', 'pull', PULLED, '--file', fresh], asRuntime()),
      h.run(['env', 'secret', 'pull', PULLED, '--format', 'yaml'], asRuntime()),
    ]);
    expect(written).toMatchObject({ code: 0, stdout: '' });
    expect(created).toMatchObject({ code: 0, stdout: '' });
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(written.stderr).toMatch(/^Wrote \d+ entries of dev-team\/team-environment to /);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const parsed = parseDotenv(readFileSync(path, 'utf8'));
    expect(parsed.OLD).toBeUndefined();
    expect(parsed.BACKSLASHES).toBe(TRICKY.BACKSLASHES);
    expect(badFormat.stderr).toBe("Error: Invalid format 'yaml': use dotenv or json.\n");
  });

  it('asks before it overwrites a file, and needs --yes off a terminal', async () => {
    const dir = tempDir('prime-cli-pull-');
    const path = join(dir, '.env');
    writeFileSync(path, 'OLD=1\n', { mode: 0o644 });
    const ask = { expect: `${path} exists. Overwrite it? [y/N]: ` };
    const [offTerminal, declined] = await Promise.all([
      h.run(['env', 'secret', 'pull', PULLED, '--file', path], asRuntime()),
      h.runInPty(['env', 'secret', 'pull', PULLED, '--file', path], [{ ...ask, send: 'n\r' }], asRuntime()),
    ]);
    expect(offTerminal).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `Error: ${path} exists: pass --yes to overwrite it (no terminal to ask on).\n`,
    });
    expect(declined.code).toBe(1);
    expect(declined.transcript).toContain(`Error: Not overwriting ${path}: nothing was read or written.`);
    expect(readFileSync(path, 'utf8')).toBe('OLD=1\n');

    const accepted = await h.runInPty(
      ['env', 'secret', 'pull', PULLED, '--file', path],
      [{ ...ask, send: 'y\r' }],
      asRuntime(),
    );
    expect(accepted.code, accepted.transcript).toBe(0);
    expect(accepted.transcript).toMatch(/Wrote \d+ entries of dev-team\/team-environment to /);
    expect(parseDotenv(readFileSync(path, 'utf8')).PLAIN).toBe('simple');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('prime env pull', () => {
  it('says it moved to prime env secret pull, whatever it is given, and writes nothing', async () => {
    const path = join(tempDir('prime-cli-moved-'), '.env');
    const runs = await Promise.all([
      h.run(['env', 'pull'], asRuntime()),
      h.run(['env', 'pull', PULLED, '--format', 'json', '--file', path, '--allow-missing'], asRuntime()),
      h.run(['env', 'pull', '--help'], asRuntime()),
    ]);
    for (const r of runs) {
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toMatch(/^Error: prime env pull downloads an environment’s source in the public client/);
      expect(r.stderr).toContain('use prime env secret pull [ENVIRONMENT] [--file PATH] [--format dotenv|json].');
    }
    expect(existsSync(path)).toBe(false);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

describe('PRIME_RUNTIME_TOKEN', () => {
  /** A token for the personal environment, as a hosted service mints one at job start. */
  async function mint(envId: string): Promise<string> {
    const res = await h.svc.call('POST', `/api/v1/environmentshub/${envId}/runtime-tokens`, {
      key: h.svc.seed.serviceKey,
      body: { jobId: 'cli-job' },
    });
    expect(res.status).toBe(201);
    return res.body.data.token as string;
  }

  it('env secret pull and env run read with the token instead of an API key, the environment named by id', async () => {
    const envId = h.svc.seed.environments.personal.id;
    const withToken = { key: null, env: { PRIME_RUNTIME_TOKEN: await mint(envId) } };
    const pulled = await h.run(['env', 'secret', 'pull', envId, '--format', 'json'], withToken);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ LOG_LEVEL: 'from-hub', DB_PASSWORD: 'hunter2' });
    const ran = await h.run(
      ['env', 'run', envId, '--', process.execPath, '-e', 'console.log(process.env.LOG_LEVEL)'],
      withToken,
    );
    expect([ran.code, ran.stdout.trim()]).toEqual([0, 'from-hub']);
    expect(`${pulled.stderr}${ran.stderr}`).not.toContain('prime_rt_');
  });

  it('names the environment by id, and is refused by any other environment', async () => {
    const withToken = { key: null, env: { PRIME_RUNTIME_TOKEN: await mint(h.svc.seed.environments.personal.id) } };
    const byName = await h.run(['env', 'secret', 'pull', ENV], withToken);
    expect(byName.code).not.toBe(0);
    expect(byName.stderr).toContain('With PRIME_RUNTIME_TOKEN, name the environment by its id');
    const other = await h.run(['env', 'secret', 'pull', h.svc.seed.environments.team.id], withToken);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('Environment not found.');
  });
});
