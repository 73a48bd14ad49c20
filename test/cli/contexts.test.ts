import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliExportLines } from '../../infra/local/cli-exports.js';
import { tempDir, useCliHarness, type RunOptions } from './harness.js';
import { PRIME_BIN } from './prime-process.js';

/**
 * The server prime talks to, on a machine where the public `prime` client is installed too: its
 * ~/.prime/config.json and saved contexts, written here byte for byte as it writes them.
 */
const h = useCliHarness();
const PRODUCTION = 'https://api.primeintellect.ai';
const PRODUCTION_KEY = 'pit_production_key_0123456789abcdef';

/** What the public client leaves in ~/.prime/config.json after `prime login`: json.dumps(indent=2), no newline. */
function publicClientHome(overrides: Record<string, unknown> = {}): string {
  const home = tempDir('prime-cli-public-');
  mkdirSync(join(home, '.prime', 'environments'), { recursive: true });
  const config = {
    api_key: PRODUCTION_KEY,
    team_id: null,
    team_name: null,
    team_role: null,
    user_id: 'cuser0000000000000000000000',
    user_name: 'Dev',
    base_url: PRODUCTION,
    frontend_url: 'https://app.primeintellect.ai',
    inference_url: 'https://api.pinference.ai/api/v1',
    traces_url: null,
    ssh_key_path: join(home, '.ssh', 'id_rsa'),
    current_environment: 'production',
    share_resources_with_team: false,
    ...overrides,
  };
  writeFileSync(join(home, '.prime', 'config.json'), JSON.stringify(config, null, 2));
  return home;
}

/** A context the public client saved with `prime config save NAME`. */
function savedContext(home: string, name: string, fields: { api_key: string; base_url: string }) {
  const context = {
    ...fields,
    team_id: null,
    team_name: null,
    team_role: null,
    user_id: null,
    user_name: null,
    frontend_url: 'https://app.primeintellect.ai',
    inference_url: 'https://api.pinference.ai/api/v1',
    traces_url: null,
  };
  writeFileSync(join(home, '.prime', 'environments', `${name}.json`), JSON.stringify(context, null, 2));
}

const readConfig = (home: string) => JSON.parse(readFileSync(join(home, '.prime', 'config.json'), 'utf8'));
/** Nothing from this shell: no key, no server, only HOME's files. */
const fromFiles = (home: string, env: Record<string, string> = {}): RunOptions => ({
  home,
  key: null,
  env: { PRIME_BASE_URL: '', ...env },
});

describe("the public client's config", () => {
  it('is read as it writes it: its production API and key, named before a write', async () => {
    const home = publicClientHome();
    const view = await h.run(['config', 'view', '-o', 'json'], fromFiles(home));
    expect(JSON.parse(view.stdout)).toMatchObject({ base_url: PRODUCTION, context: 'production' });

    // The same file pointing here (as `prime config set-base-url` leaves it): a read says nothing,
    // a write names the server and where it came from, first thing on stderr.
    const local = publicClientHome({ base_url: h.baseUrl, api_key: h.svc.seed.user.apiKey });
    const read = await h.run(['secret', 'list', '-o', 'json'], fromFiles(local));
    expect(read).toMatchObject({ code: 0, stderr: '' });
    const write = await h.run(['secret', 'create', '-n', 'FROM_CONFIG', '-v', 'hunter2'], fromFiles(local));
    expect(write.code).toBe(0);
    expect(write.stderr).toBe(
      `Server: ${h.baseUrl} (${join(local, '.prime', 'config.json')}, context production; ` +
        'PRIME_BASE_URL or --base-url chooses another)\n',
    );
    // Chosen in this run, by a variable or an option: nothing to say.
    const chosen = await Promise.all([
      h.run(['secret', 'create', '-n', 'FROM_VARIABLE', '-v', 'hunter2'], { home }),
      h.run(['--base-url', h.baseUrl, 'secret', 'create', '-n', 'FROM_OPTION', '-v', 'hunter2'], {
        home,
        env: { PRIME_BASE_URL: '' },
      }),
    ]);
    for (const r of chosen) expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('PRIME_CONTEXT reads a saved context for one run, over config.json, which stays as it was', async () => {
    const home = publicClientHome();
    savedContext(home, 'local', { api_key: h.svc.seed.user.apiKey, base_url: h.baseUrl });
    const before = readFileSync(join(home, '.prime', 'config.json'), 'utf8');
    const r = await h.run(
      ['secret', 'create', '-n', 'VIA_CONTEXT', '-v', 'hunter2', '-o', 'json'],
      fromFiles(home, { PRIME_CONTEXT: 'local' }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe('VIA_CONTEXT');
    expect(r.stderr).toBe(
      `Server: ${h.baseUrl} (context local from PRIME_CONTEXT; PRIME_BASE_URL or --base-url chooses another)\n`,
    );
    expect(readFileSync(join(home, '.prime', 'config.json'), 'utf8')).toBe(before);

    const unknown = await h.run(['secret', 'list'], fromFiles(home, { PRIME_CONTEXT: 'nope' }));
    expect(unknown).toMatchObject({
      code: 2,
      stderr: "Error: Unknown context 'nope': see prime config envs, or save it with prime config save.\n",
    });
    const escaping = await h.run(['secret', 'list'], fromFiles(home, { PRIME_CONTEXT: '../config' }));
    expect(escaping).toMatchObject({
      code: 2,
      stderr: "Error: Invalid context name '../config': use letters, digits, - and _.\n",
    });
  });

  it('config save, envs and use: the settings in effect saved (0600), then switched to and back', async () => {
    const home = publicClientHome({ team_id: 'cteam00000000000000000000', team_name: 'Prod team' });
    const saved = await h.run(['config', 'save', 'local'], { home });
    expect(saved).toMatchObject({ code: 0, stdout: expect.stringContaining(`✓ Saved context local (${h.baseUrl})`) });
    const file = join(home, '.prime', 'environments', 'local.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      api_key: h.svc.seed.user.apiKey,
      base_url: h.baseUrl,
      team_id: 'cteam00000000000000000000',
      frontend_url: 'https://app.primeintellect.ai',
    });
    const reserved = await h.run(['config', 'save', 'production'], { home });
    expect(reserved).toMatchObject({ code: 2, stderr: "Error: 'production' is built in: save under another name.\n" });

    // The personal scope for this context, as `prime config set-team-id ""` would leave it.
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), team_id: null, team_name: null }));
    const used = await h.run(['config', 'use', 'local'], fromFiles(home));
    expect(used).toMatchObject({ code: 0, stdout: '✓ Switched to context local\n' });
    expect(readConfig(home)).toMatchObject({
      api_key: h.svc.seed.user.apiKey,
      base_url: h.baseUrl,
      team_id: null,
      team_name: null,
      current_environment: 'local',
      ssh_key_path: join(home, '.ssh', 'id_rsa'),
      share_resources_with_team: false,
    });
    const who = await h.run(['whoami', '-o', 'json'], fromFiles(home));
    expect(JSON.parse(who.stdout).slug).toBe('dev');

    const envs = await h.run(['config', 'envs', '-o', 'json'], fromFiles(home));
    expect(JSON.parse(envs.stdout)).toEqual([
      { name: 'production', type: 'built-in', current: false },
      { name: 'local', type: 'saved', current: true },
    ]);

    const back = await h.run(['config', 'use', 'production'], fromFiles(home));
    expect(back.code).toBe(0);
    expect(readConfig(home)).toMatchObject({ base_url: PRODUCTION, team_id: null, current_environment: 'production' });
  });
});

describe('http:// to another machine', () => {
  it('is refused before anything is sent, unless --insecure', async () => {
    const [refused, setRefused] = await Promise.all([
      h.run(['--base-url', 'http://192.0.2.1:8787', 'secret', 'list']),
      h.run(['config', 'set-base-url', 'http://192.0.2.1:8787']),
    ]);
    for (const r of [refused, setRefused]) {
      expect(r).toMatchObject({
        code: 2,
        stdout: '',
        stderr:
          'Error: Refusing to send the API key to http://192.0.2.1:8787 in clear (http:// to another machine): ' +
          'use https://, or pass --insecure if you mean it.\n',
      });
    }
    // With --insecure it is tried (192.0.2.1 is a documentation address: nothing answers there).
    const tried = await h.run(['--insecure', '--base-url', 'http://192.0.2.1:8787', 'secret', 'list'], {
      env: { PRIME_TIMEOUT: '0.5' },
    });
    expect(tried.code).toBe(5);
    expect(tried.stderr).toMatch(/^Error: (No answer from|Cannot reach) the API at http:\/\/192\.0\.2\.1:8787/);
    for (const loopback of ['http://localhost:1', 'http://127.0.0.2:1', 'http://[::1]:1']) {
      const r = await h.run(['--base-url', loopback, 'secret', 'list']);
      expect(r.code, loopback).toBe(5);
    }
  });
});

describe('npm start', () => {
  it("prints export lines that point prime at the local stack over the public client's config", async () => {
    const home = publicClientHome({ team_id: 'cteam00000000000000000000' });
    const lines = cliExportLines({ baseUrl: h.baseUrl, user: h.svc.seed.user });
    const script = [...lines, `exec "${process.execPath}" "${PRIME_BIN}" secret create -n EXPORTED -v hunter2 -o json`];
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script.join('\n')], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        PRIME_CONTEXT: 'production',
        PRIME_TEAM_ID: 'cteam00000000000000000001',
      },
    });
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ name: 'EXPORTED', userId: h.svc.seed.user.id, teamId: null });
  });
});
