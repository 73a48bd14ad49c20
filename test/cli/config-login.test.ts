import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../local/addresses.js';
import { lines, tempDir, useCliHarness } from './harness.js';

const h = useCliHarness();

const configOf = (home: string) => join(home, '.prime', 'config.json');
const mode = (path: string) => statSync(path).mode & 0o777;
/** No PRIME_BASE_URL: the base URL comes from the config (or the default). */
const NO_BASE_URL = { PRIME_BASE_URL: '' };

describe('prime config', () => {
  it('views the configuration in effect, with the key masked, in both formats', async () => {
    const key = h.svc.seed.user.apiKey;
    const [table, json] = await Promise.all([h.run(['config', 'view']), h.run(['config', 'view', '-o', 'json'])]);
    expect(table.stdout).toContain(`API key:      ****${key.slice(-4)} (from the environment)`);
    expect(table.stdout).toContain(`Base URL:     ${h.baseUrl} (from the environment)`);
    expect(table.stdout).toContain('Team ID:      none (personal scope)');
    expect(JSON.parse(json.stdout)).toEqual({
      api_key: `****${key.slice(-4)}`,
      base_url: h.baseUrl,
      team_id: null,
      context: 'production',
      config_file: configOf(h.home),
    });
    expect(table.stdout + json.stdout).not.toContain(key);
  });

  it('saves the base URL and the team (0600) and uses them', async () => {
    const home = tempDir('prime-cli-config-');
    const set = await h.run(['config', 'set-base-url', `${h.baseUrl}/`], { home });
    expect(set.stdout).toBe(`✓ Base URL set to ${h.baseUrl}\n`);
    const teamSet = await h.run(['config', 'set-team-id', h.svc.seed.team.id], { home });
    expect(teamSet.stdout).toBe(`✓ Team ID set to ${h.svc.seed.team.id}\n`);
    expect(JSON.parse(readFileSync(configOf(home), 'utf8'))).toEqual({
      base_url: h.baseUrl,
      team_id: h.svc.seed.team.id,
    });
    expect(mode(configOf(home))).toBe(0o600);
    expect(mode(join(home, '.prime'))).toBe(0o700);

    const [view, teamSecrets, viaAlias, invalid] = await Promise.all([
      h.run(['config', 'view', '-o', 'json'], { home, key: null, env: NO_BASE_URL }),
      h.run(['secret', 'list'], { home, env: NO_BASE_URL }),
      h.run(['whoami', '-o', 'json'], {
        home: tempDir('prime-cli-alias-'),
        env: { PRIME_BASE_URL: '', PRIME_API_BASE_URL: h.baseUrl },
      }),
      h.run(['config', 'set-base-url', 'ftp://example.com'], { home }),
    ]);
    expect(JSON.parse(view.stdout)).toMatchObject({ api_key: null, base_url: h.baseUrl, team_id: h.svc.seed.team.id });
    expect(teamSecrets.stdout).toBe('No secrets found in team dev-team.\n');
    expect(JSON.parse(viaAlias.stdout).slug).toBe('dev');
    expect(invalid.stderr).toBe("Error: Invalid base URL 'ftp://example.com': give an http:// or https:// URL.\n");

    const cleared = await h.run(['config', 'set-team-id', ''], { home });
    expect(cleared.stdout).toBe('✓ Team ID cleared: personal scope\n');
    expect(JSON.parse(readFileSync(configOf(home), 'utf8'))).toEqual({ base_url: h.baseUrl });
  });

  it('falls back to http://127.0.0.1:8787 and reports a broken config file in one line', async () => {
    const home = tempDir('prime-cli-broken-');
    const fresh = await h.run(['config', 'view', '-o', 'json'], { home, env: NO_BASE_URL });
    expect(JSON.parse(fresh.stdout).base_url).toBe('http://127.0.0.1:8787');
    mkdirSync(join(home, '.prime'));
    writeFileSync(configOf(home), '{not json');
    const broken = await h.run(['whoami'], { home });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(`Error: ${configOf(home)} is not a JSON object; fix or remove it.\n`);
  });
});

describe('prime config set-api-key and remove-team-id', () => {
  it('saves a key asked for without echo, or read from standard input, never from the command line', async () => {
    const key = h.svc.seed.user.apiKey;
    const [typed, piped, argument, empty, spaced] = await Promise.all([
      h.runInPty(
        ['config', 'set-api-key'],
        [{ expect: 'API key (Enter alone clears the saved key): ', send: `${key}\r` }],
        {
          home: tempDir('prime-cli-setkey-'),
          key: null,
        },
      ),
      (async () => {
        const home = tempDir('prime-cli-setkey-');
        return { home, r: await h.run(['config', 'set-api-key'], { home, key: null, input: `${key}\n` }) };
      })(),
      h.run(['config', 'set-api-key', key], { home: tempDir('prime-cli-setkey-'), key: null }),
      h.run(['config', 'set-api-key'], { home: tempDir('prime-cli-setkey-'), key: null, input: '\n' }),
      h.run(['config', 'set-api-key'], { home: tempDir('prime-cli-setkey-'), key: null, input: 'two words\n' }),
    ]);
    expect(typed.code, typed.transcript).toBe(0);
    expect(typed.transcript).toContain(`✓ API key ****${key.slice(-4)} saved to `);
    expect(typed.transcript).not.toContain(key);

    expect(piped.r).toMatchObject({ code: 0, stderr: '' });
    expect(piped.r.stdout).toBe(
      `✓ API key ****${key.slice(-4)} saved to ${configOf(piped.home)}; check it with prime whoami\n`,
    );
    expect(JSON.parse(readFileSync(configOf(piped.home), 'utf8'))).toEqual({ api_key: key });
    expect(mode(configOf(piped.home))).toBe(0o600);
    const who = await h.run(['whoami', '-o', 'json'], { home: piped.home, key: null });
    expect(JSON.parse(who.stdout).slug).toBe('dev');

    expect(argument).toMatchObject({ code: 2, stdout: '' });
    expect(argument.stderr).toMatch(
      /^Error: Not taking the key from the command line, where it stays in your shell history/,
    );
    expect(argument.stderr).not.toContain(key);
    expect(empty).toMatchObject({ code: 1, stderr: 'Error: No API key on standard input: nothing was changed.\n' });
    expect(spaced).toMatchObject({
      code: 1,
      stderr: 'Error: An API key has no spaces or line breaks: nothing was changed.\n',
    });
  });

  it('clears the saved key when Enter alone is typed, and says when PRIME_API_KEY still wins', async () => {
    const home = tempDir('prime-cli-clearkey-');
    mkdirSync(join(home, '.prime'), { mode: 0o700 });
    writeFileSync(configOf(home), JSON.stringify({ api_key: 'old-key', team_id: 'T1' }), { mode: 0o600 });
    const cleared = await h.runInPty(['config', 'set-api-key'], [{ expect: 'saved key): ', send: '\r' }], {
      home,
      key: null,
    });
    expect(cleared.code, cleared.transcript).toBe(0);
    expect(cleared.transcript).toContain(`✓ API key cleared from ${configOf(home)}`);
    expect(JSON.parse(readFileSync(configOf(home), 'utf8'))).toEqual({ team_id: 'T1' });

    const overridden = await h.run(['config', 'set-api-key'], { home, input: 'new-key' });
    expect(overridden.stderr).toBe('Note: PRIME_API_KEY is set and takes precedence over the saved key.\n');
    expect(JSON.parse(readFileSync(configOf(home), 'utf8'))).toEqual({ team_id: 'T1', api_key: 'new-key' });
  });

  it('removes the saved team ID, keeping the rest', async () => {
    const home = tempDir('prime-cli-rmteam-');
    await h.run(['config', 'set-team-id', h.svc.seed.team.id], { home });
    await h.run(['config', 'set-base-url', h.baseUrl], { home });
    const [removed, withEnvTeam] = await Promise.all([
      h.run(['config', 'remove-team-id'], { home }),
      h.run(['config', 'remove-team-id'], { home: tempDir('prime-cli-rmteam-'), env: { PRIME_TEAM_ID: 'T9' } }),
    ]);
    expect(removed).toMatchObject({ code: 0, stdout: '✓ Team ID removed: personal scope\n', stderr: '' });
    expect(JSON.parse(readFileSync(configOf(home), 'utf8'))).toEqual({ base_url: h.baseUrl });
    expect(mode(configOf(home))).toBe(0o600);
    expect(withEnvTeam.stderr).toBe('Note: PRIME_TEAM_ID is set and still selects a team.\n');
    const view = await h.run(['config', 'view', '-o', 'json'], { home });
    expect(JSON.parse(view.stdout).team_id).toBeNull();
  });
});

describe('prime login', () => {
  it('asks for the key without echo, checks it and saves it with mode 0600', async () => {
    const home = tempDir('prime-cli-login-');
    const key = h.svc.seed.user.apiKey;
    const login = await h.runInPty(['login'], [{ expect: 'API key: ', send: `${key}\r` }], { home, key: null });
    expect(login.code).toBe(0);
    expect(login.transcript).toContain('✓ Logged in as dev (dev@example.com)');
    expect(login.transcript).not.toContain(key);
    expect(JSON.parse(readFileSync(configOf(home), 'utf8'))).toEqual({ api_key: key });
    expect(mode(configOf(home))).toBe(0o600);

    const who = await h.run(['whoami', '-o', 'json'], { home, key: null });
    expect(JSON.parse(who.stdout).slug).toBe('dev');
  });

  it('keeps nothing of a rejected key, and needs a terminal', async () => {
    const home = tempDir('prime-cli-badlogin-');
    const [rejected, offTerminal] = await Promise.all([
      h.runInPty(['login'], [{ expect: 'API key: ', send: 'not-a-real-key\r' }], { home, key: null }),
      h.run(['login'], { home, key: null, input: 'some-key\n' }),
    ]);
    expect(rejected.code).toBe(4);
    expect(rejected.transcript).toContain('Error: Missing or invalid API key.');
    expect(rejected.transcript).not.toContain('not-a-real-key');
    expect(existsSync(configOf(home))).toBe(false);
    expect(offTerminal.stderr).toBe(
      'Error: prime login asks for the key on a terminal; set PRIME_API_KEY instead (no terminal to ask on).\n',
    );
  });
});

describe('connection errors', () => {
  it('says how to configure a key when there is none, before any request', async () => {
    const r = await h.run(['secret', 'list'], { key: null, home: tempDir('prime-cli-nokey-') });
    expect(r).toMatchObject({
      code: 4,
      stdout: '',
      stderr: 'Error: No API key configured. Run prime login or set PRIME_API_KEY.\n',
    });
  });

  it('names the unreachable URL and the cause, in one line without a stack', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const r = await h.run(['env', 'secret', 'list', 'dev/my-environment'], { env: { PRIME_BASE_URL: url } });
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`Error: Cannot reach the API at ${url}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    expect(lines(r.stderr)).toHaveLength(1);
  });

  it('shows the API detail of a rejected key', async () => {
    const r = await h.run(['whoami'], { key: 'wrong-key' });
    expect(r).toMatchObject({ code: 4, stdout: '', stderr: 'Error: Missing or invalid API key.\n' });
  });
});
