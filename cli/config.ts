import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, UsageError } from './errors.js';

/**
 * `~/.prime/config.json` and the saved contexts beside it (`~/.prime/environments/NAME.json`),
 * in the public client's format: it writes the same files (on its first run `base_url` is its
 * production API), so both read what the other saved. Fields this CLI does not use are kept.
 */
export interface StoredConfig {
  api_key?: string | null;
  base_url?: string | null;
  team_id?: string | null;
  current_environment?: string | null;
}

/** Where a setting came from: a global option, a variable, the PRIME_CONTEXT file, config.json, or neither. */
export type Source = 'command line' | 'environment' | 'context' | 'config' | 'default';

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
  /** PRIME_CONTEXT, the saved context this run reads over config.json; else the one `config use` chose. */
  context: string;
  contextSource: 'environment' | 'config';
  /** PRIME_TIMEOUT (seconds), as milliseconds: how long one request may take. */
  timeoutMs: number;
  configPath: string;
}

/** What the global options give: they win over everything else. */
export interface CommandLineSettings {
  baseUrl?: string | undefined;
}

/**
 * Every variable `prime` reads (resolveSettings): `prime env run` keeps them from its command
 * unless asked, since a key there reaches every dependency of the command.
 */
export const CLI_VARIABLES = [
  'PRIME_API_KEY',
  'PRIME_RUNTIME_TOKEN',
  'PRIME_BASE_URL',
  'PRIME_API_BASE_URL',
  'PRIME_TEAM_ID',
  'PRIME_CONTEXT',
  'PRIME_TIMEOUT',
] as const;

const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';
const DEFAULT_TIMEOUT_SECONDS = 30;

/** The public client's built-in context: its production API, the personal scope, the saved key. */
export const PRODUCTION = 'production';
const PRODUCTION_BASE_URL = 'https://api.primeintellect.ai';

/** A context's name, as the public client allows it (it becomes a file name). */
const CONTEXT_NAME = /^[A-Za-z0-9_-]+$/;

/** The fields a saved context holds (the public client's list); `config save` writes them all. */
const CONTEXT_FIELDS = [
  'api_key',
  'team_id',
  'team_name',
  'team_role',
  'user_id',
  'user_name',
  'base_url',
  'frontend_url',
  'inference_url',
  'traces_url',
] as const;

/** `$HOME/.prime/config.json` (HOME is honoured, so tests and sandboxes can move it). */
export function configPath(): string {
  return join(homedir(), '.prime', 'config.json');
}

const contextsDir = (path: string) => join(dirname(path), 'environments');
const contextFile = (path: string, name: string) => join(contextsDir(path), `${name}.json`);

function readJsonObject(path: string, missing: 'empty' | 'absent'): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return missing === 'empty' ? {} : undefined;
    throw new CliError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new CliError(`${path} is not a JSON object; fix or remove it.`);
  }
}

/** Written whole or not at all, mode 0600 in a 0700 folder: these files hold an API key. */
function writeJsonObject(path: string, value: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** Merges `changes` into the stored config (undefined removes a field); the file is mode 0600. */
export function updateStoredConfig(changes: Record<string, string | null | undefined>, path = configPath()) {
  const next: Record<string, unknown> = { ...readJsonObject(path, 'empty') };
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) delete next[field];
    else next[field] = value;
  }
  writeJsonObject(path, next);
}

/** A context name, or the error that says which names are allowed. */
export function checkContextName(name: string): string {
  if (!CONTEXT_NAME.test(name)) {
    throw new UsageError(`Invalid context name '${name}': use letters, digits, - and _.`);
  }
  return name;
}

/** A saved context's fields; `production` is built in; an unknown name is an error naming `config envs`. */
function readContext(path: string, name: string): Record<string, unknown> {
  if (name === PRODUCTION) return { base_url: PRODUCTION_BASE_URL, team_id: null };
  const saved = readJsonObject(contextFile(path, checkContextName(name)), 'absent');
  if (!saved)
    throw new UsageError(`Unknown context '${name}': see prime config envs, or save it with prime config save.`);
  // A context without a base URL is the public client's production, as it reads one.
  return { base_url: PRODUCTION_BASE_URL, team_id: null, ...saved };
}

/** `production` and every saved context, by name. */
export function listContexts(path = configPath()): string[] {
  let files: string[];
  try {
    files = readdirSync(contextsDir(path));
  } catch {
    files = [];
  }
  const saved = files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter((n) => CONTEXT_NAME.test(n) && n !== PRODUCTION);
  return [PRODUCTION, ...saved.sort()];
}

/**
 * `prime config save NAME`: the settings in effect (variables included, as the public client
 * saves them) as a context, mode 0600; the other fields of a context from config.json.
 */
export function saveContext(name: string, settings: Settings): string {
  if (checkContextName(name) === PRODUCTION)
    throw new UsageError(`'${PRODUCTION}' is built in: save under another name.`);
  const stored = readJsonObject(settings.configPath, 'empty') ?? {};
  const saved: Record<string, unknown> = {};
  for (const field of CONTEXT_FIELDS) saved[field] = stored[field] ?? null;
  Object.assign(saved, {
    api_key: settings.apiKey ?? '',
    team_id: settings.teamId ?? null,
    base_url: settings.baseUrl,
  });
  const file = contextFile(settings.configPath, name);
  writeJsonObject(file, saved);
  return file;
}

/**
 * `prime config use NAME`: the context's fields into config.json, as the public client does (a
 * key only when the context holds one; its team, or the personal scope), and NAME as current.
 */
export function useContext(name: string, path = configPath()): void {
  const context = readContext(path, name);
  const changes: Record<string, string | null> = {};
  for (const field of CONTEXT_FIELDS) {
    const value = context[field];
    if (typeof value === 'string' || value === null) changes[field] = value;
  }
  for (const field of ['team_id', 'team_name', 'team_role']) changes[field] ??= null;
  updateStoredConfig({ ...changes, current_environment: name }, path);
}

/**
 * Each setting from the first that gives it: the command line (base URL only), its variable
 * (PRIME_API_KEY; PRIME_BASE_URL or PRIME_API_BASE_URL; PRIME_TEAM_ID), the context PRIME_CONTEXT
 * names, config.json, else the default. An empty variable gives nothing, except PRIME_TEAM_ID,
 * which then gives the personal scope. The runtime token: PRIME_RUNTIME_TOKEN only.
 */
export function resolveSettings(
  env: NodeJS.ProcessEnv = process.env,
  path = configPath(),
  commandLine: CommandLineSettings = {},
): Settings {
  const stored = readJsonObject(path, 'empty') ?? {};
  const contextName = env.PRIME_CONTEXT || undefined;
  const context = contextName ? readContext(path, contextName) : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  // A field the context holds is the context's, null included (a team_id of null: the personal scope).
  const pick = (given: string | undefined, variable: string | undefined, field: keyof StoredConfig) => {
    const [value, source] = given
      ? [given, 'command line' as const]
      : variable
        ? [variable, 'environment' as const]
        : field in context
          ? [text(context[field]), 'context' as const]
          : [text(stored[field]), 'config' as const];
    return value === undefined ? undefined : { value, source };
  };
  const key = pick(undefined, env.PRIME_API_KEY, 'api_key');
  const base = pick(commandLine.baseUrl, env.PRIME_BASE_URL || env.PRIME_API_BASE_URL, 'base_url');
  // PRIME_TEAM_ID set but empty is the personal scope, whatever a file says (npm start's export lines).
  const team = env.PRIME_TEAM_ID === '' ? undefined : pick(undefined, env.PRIME_TEAM_ID, 'team_id');
  return {
    apiKey: key?.value,
    apiKeySource: key?.source,
    baseUrl: base ? checkBaseUrl(base.value) : DEFAULT_BASE_URL,
    baseUrlSource: base?.source ?? 'default',
    teamId: team?.value,
    teamIdSource: env.PRIME_TEAM_ID === '' ? 'environment' : team?.source,
    runtimeToken: env.PRIME_RUNTIME_TOKEN || undefined,
    context: contextName ?? text(stored.current_environment) ?? PRODUCTION,
    contextSource: contextName ? 'environment' : 'config',
    timeoutMs: timeoutOf(env.PRIME_TIMEOUT),
    configPath: path,
  };
}

/** PRIME_TIMEOUT: seconds, more than 0 (fractions allowed); 30 when unset. */
function timeoutOf(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`Invalid PRIME_TIMEOUT '${value}': give the seconds a request may take, e.g. 30.`);
  }
  return Math.ceil(seconds * 1000);
}

/** An http(s) URL without a trailing slash or /api/v1 (the public client stores it so), or a clear error. */
export function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`Invalid base URL '${value}': give an http:// or https:// URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`Invalid base URL '${value}': give an http:// or https:// URL.`);
  }
  return value.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

/**
 * The key and every value travel in clear over http://: only to this machine (loopback), unless
 * `insecure` says the caller knows.
 */
export function checkTransport(baseUrl: string, insecure: boolean): void {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' || insecure || isLoopback(url.hostname)) return;
  throw new UsageError(
    `Refusing to send the API key to ${baseUrl} in clear (http:// to another machine): ` +
      'use https://, or pass --insecure if you mean it.',
  );
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}
