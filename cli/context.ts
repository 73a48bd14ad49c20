import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { PrimeApi } from './api.js';
import { resolveSettings, type Settings } from './config.js';
import { CliError } from './errors.js';
import { Output } from './output.js';
import { Terminal } from './prompt.js';
import { PERSONAL, teamScope, type Scope } from './scope.js';

const NO_API_KEY = 'No API key configured. Run prime login or set PRIME_API_KEY.';

/** What a command runs with, each part made when first used. */
export class Context {
  readonly out: Output;
  readonly terminal = new Terminal();
  private cachedSettings: Settings | undefined;
  private cachedApi: PrimeApi | undefined;
  private cachedScope: Promise<Scope> | undefined;

  constructor(options: { plain?: boolean | undefined }) {
    this.out = new Output({ plain: options.plain });
  }

  get settings(): Settings {
    this.cachedSettings ??= resolveSettings();
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
      const { apiKey, baseUrl } = this.settings;
      if (!apiKey) throw new CliError(NO_API_KEY);
      this.cachedApi = apiWith(baseUrl, apiKey);
    }
    return this.cachedApi;
  }
}

export function apiWith(baseUrl: string, apiKey: string): PrimeApi {
  return new PrimeApi(new ApiClient({ baseUrl, apiKey }));
}

/** The context of the command being run, with the global `--plain`. */
export function contextOf(command: Command): Context {
  return new Context(command.optsWithGlobals<{ plain?: boolean }>());
}
