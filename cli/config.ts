import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** `~/.prime/config.json`, with the public client's field names. */
export interface StoredConfig {
  api_key?: string;
  base_url?: string;
  team_id?: string;
}

export type Source = 'environment' | 'config' | 'default';

/** What a command runs with: each setting and where it came from. */
export interface Settings {
  apiKey: string | undefined;
  apiKeySource: Source | undefined;
  baseUrl: string;
  baseUrlSource: Source;
  teamId: string | undefined;
  teamIdSource: Source | undefined;
  /**
   * PRIME_RUNTIME_TOKEN: a job's runtime token, which `env run` and `env secret pull` use instead of
   * the API key (from the environment only: a token lives as long as its job, never in a file).
   */
  runtimeToken: string | undefined;
  configPath: string;
}

const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';

/** `$HOME/.prime/config.json` (HOME is honoured, so tests and sandboxes can move it). */
export function configPath(): string {
  return join(homedir(), '.prime', 'config.json');
}

function readStoredConfig(path = configPath()): StoredConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as StoredConfig;
  } catch {
    throw new CliError(`${path} is not a JSON object; fix or remove it.`);
  }
}

/** Merges `changes` into the stored config (undefined removes a field); the file is mode 0600. */
export function updateStoredConfig(
  changes: Partial<Record<keyof StoredConfig, string | undefined>>,
  path = configPath(),
) {
  const next: Record<string, unknown> = { ...readStoredConfig(path) };
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) delete next[field];
    else next[field] = value;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/**
 * Key: PRIME_API_KEY, else the config. Base URL: PRIME_BASE_URL or PRIME_API_BASE_URL,
 * else the config, else the local default. Team: PRIME_TEAM_ID, else the config. Runtime
 * token: PRIME_RUNTIME_TOKEN only.
 */
export function resolveSettings(env: NodeJS.ProcessEnv = process.env, path = configPath()): Settings {
  const stored = readStoredConfig(path);
  const pick = (fromEnv: string | undefined, fromConfig: string | undefined) =>
    fromEnv
      ? { value: fromEnv, source: 'environment' as const }
      : fromConfig
        ? { value: fromConfig, source: 'config' as const }
        : undefined;
  const key = pick(env.PRIME_API_KEY, stored.api_key);
  const base = pick(env.PRIME_BASE_URL || env.PRIME_API_BASE_URL, stored.base_url);
  const team = pick(env.PRIME_TEAM_ID, stored.team_id);
  return {
    apiKey: key?.value,
    apiKeySource: key?.source,
    baseUrl: base ? checkBaseUrl(base.value) : DEFAULT_BASE_URL,
    baseUrlSource: base?.source ?? 'default',
    teamId: team?.value,
    teamIdSource: team?.source,
    runtimeToken: env.PRIME_RUNTIME_TOKEN || undefined,
    configPath: path,
  };
}

/** An http(s) URL without a trailing slash, or a clear error. */
export function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`Invalid base URL '${value}': give an http:// or https:// URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`Invalid base URL '${value}': give an http:// or https:// URL.`);
  }
  return value.replace(/\/+$/, '');
}
