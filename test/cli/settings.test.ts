import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTransport, resolveSettings } from '../../cli/config.js';
import { tempDir } from './prime-process.js';

/** Where each setting comes from (cli/config.ts): the command line, a variable, PRIME_CONTEXT, config.json, the default. */
function files(config: object, contexts: Record<string, object> = {}): string {
  const dir = join(tempDir('prime-cli-settings-'), '.prime');
  mkdirSync(join(dir, 'environments'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  for (const [name, context] of Object.entries(contexts)) {
    writeFileSync(join(dir, 'environments', `${name}.json`), JSON.stringify(context));
  }
  return join(dir, 'config.json');
}

const CONFIG = { api_key: 'config-key', base_url: 'https://config.example', team_id: 'config-team' };
const CONTEXTS = { ctx: { api_key: 'context-key', base_url: 'https://context.example/api/v1', team_id: null } };

describe('resolveSettings', () => {
  it('takes each setting from the first that gives it', () => {
    const path = files(CONFIG, CONTEXTS);
    const pick = (env: NodeJS.ProcessEnv, baseUrl?: string) => {
      const s = resolveSettings(env, path, { baseUrl });
      return [s.apiKey, s.apiKeySource, s.baseUrl, s.baseUrlSource, s.teamId, s.teamIdSource];
    };
    expect(pick({})).toEqual(['config-key', 'config', 'https://config.example', 'config', 'config-team', 'config']);
    // A context's null team is the personal scope, not config.json's team; /api/v1 is dropped.
    expect(pick({ PRIME_CONTEXT: 'ctx' })).toEqual([
      'context-key',
      'context',
      'https://context.example',
      'context',
      undefined,
      undefined,
    ]);
    expect(
      pick({
        PRIME_CONTEXT: 'ctx',
        PRIME_API_KEY: 'env-key',
        PRIME_BASE_URL: 'https://env.example',
        PRIME_TEAM_ID: 't',
      }),
    ).toEqual(['env-key', 'environment', 'https://env.example', 'environment', 't', 'environment']);
    expect(pick({ PRIME_BASE_URL: 'https://env.example' }, 'https://option.example/')[2]).toBe(
      'https://option.example',
    );
    expect(pick({ PRIME_TEAM_ID: '' }).slice(4)).toEqual([undefined, 'environment']);
    // production is built in: the public client's API, the personal scope, config.json's key.
    expect(pick({ PRIME_CONTEXT: 'production' })).toEqual([
      'config-key',
      'config',
      'https://api.primeintellect.ai',
      'context',
      undefined,
      undefined,
    ]);
    expect(resolveSettings({}, files({})).baseUrl).toBe('http://127.0.0.1:8787');
  });

  it('reads PRIME_TIMEOUT as seconds, 30 by default', () => {
    const path = files({});
    expect(resolveSettings({}, path).timeoutMs).toBe(30_000);
    expect(resolveSettings({ PRIME_TIMEOUT: '0.25' }, path).timeoutMs).toBe(250);
    for (const bad of ['0', '-1', 'abc', '30s']) {
      expect(() => resolveSettings({ PRIME_TIMEOUT: bad }, path)).toThrow(/^Invalid PRIME_TIMEOUT/);
    }
  });
});

describe('checkTransport', () => {
  it('allows http:// to loopback only, unless insecure', () => {
    for (const url of [
      'http://127.0.0.1:8787',
      'http://127.9.9.9',
      'http://localhost:1',
      'http://[::1]:8787',
      'https://x.example',
    ]) {
      expect(() => checkTransport(url, false), url).not.toThrow();
    }
    for (const url of [
      'http://192.168.1.5:8787',
      'http://example.com',
      'http://127.0.0.1.example.com',
      'http://[::2]',
    ]) {
      expect(() => checkTransport(url, false), url).toThrow(/^Refusing to send the API key/);
      expect(() => checkTransport(url, true), url).not.toThrow();
    }
  });
});
