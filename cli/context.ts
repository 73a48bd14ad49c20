import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { PrimeApi } from './api.js';
import { checkTransport, configPath, resolveSettings, type Settings } from './config.js';
import { CliError, EXIT } from './errors.js';
import { Output } from './output.js';
import { Terminal } from './prompt.js';
import { PERSONAL, teamScope, type Scope } from './scope.js';

const NO_API_KEY = 'No API key configured. Run prime login or set PRIME_API_KEY.';

/** The global options (cli/main.ts). */
export interface GlobalOptions {
  plain?: boolean | undefined;
  insecure?: boolean | undefined;
  baseUrl?: string | undefined;
}

/** What a command runs with, each part made when first used. */
export class Context {
  readonly out: Output;
  readonly terminal = new Terminal();
  private cachedSettings: Settings | undefined;
  private cachedApi: PrimeApi | undefined;
  private cachedScope: Promise<Scope> | undefined;

  constructor(private readonly options: GlobalOptions) {
    this.out = new Output({ plain: options.plain });
  }

  get settings(): Settings {
    this.cachedSettings ??= resolveSettings(process.env, configPath(), { baseUrl: this.options.baseUrl });
    return this.cachedSettings;
  }

  /**
   * The scope of `prime secret …` and `prime env list|create`: the team given on the command line
   * (`--team`, by id or slug), else the configured one (PRIME_TEAM_ID or the config, by id or slug),
   * else the personal scope.
   */
  scope(team?: string): Promise<Scope> {
    if (team !== undefined) return teamScope(this.api, team, '--team');
    const { teamId, teamIdSource } = this.settings;
    const from = teamIdSource === 'environment' ? 'PRIME_TEAM_ID' : 'the team set with prime config set-team-id';
    this.cachedScope ??= teamId ? teamScope(this.api, teamId, from) : Promise.resolve(PERSONAL);
    return this.cachedScope;
  }

  /** The API with the configured key; without one, the error that says how to set it. */
  get api(): PrimeApi {
    if (!this.cachedApi) {
      const { apiKey } = this.settings;
      if (!apiKey) throw new CliError(NO_API_KEY, EXIT.auth);
      this.cachedApi = this.apiWith(apiKey);
    }
    return this.cachedApi;
  }

  /**
   * The API at the configured server with `key` (an API key or a runtime token): over http:// only
   * to this machine unless --insecure, each request within PRIME_TIMEOUT, and the server named on
   * stderr before the first write when nobody chose it for this run.
   */
  apiWith(key: string): PrimeApi {
    const settings = this.settings;
    checkTransport(settings.baseUrl, this.options.insecure === true);
    const client = new ApiClient({
      baseUrl: settings.baseUrl,
      apiKey: key,
      timeoutMs: settings.timeoutMs,
      note: (line) => this.out.note(line),
      targetNote: targetNote(settings),
    });
    return new PrimeApi(client);
  }
}

/** Where writes go, said when the server came from a file or the default rather than this run's own choice. */
function targetNote(s: Settings): string | undefined {
  if (s.baseUrlSource === 'command line' || s.baseUrlSource === 'environment') return undefined;
  const from =
    s.baseUrlSource === 'context'
      ? `context ${s.context} from PRIME_CONTEXT`
      : s.baseUrlSource === 'config'
        ? `${s.configPath}, context ${s.context}`
        : 'the default';
  return `Server: ${s.baseUrl} (${from}; PRIME_BASE_URL or --base-url chooses another)`;
}

/** The context of the command being run, with the global options. */
export function contextOf(command: Command): Context {
  return new Context(command.optsWithGlobals<GlobalOptions>());
}
