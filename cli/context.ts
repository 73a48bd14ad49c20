import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { PrimeApi } from './api.js';
import { resolveSettings, type Settings } from './config.js';
import { CliError } from './errors.js';
import { Output } from './output.js';
import { Terminal } from './prompt.js';

const NO_API_KEY = 'No API key configured. Run prime login or set PRIME_API_KEY.';

/** What a command runs with, each part made when first used. */
export class Context {
  readonly out: Output;
  readonly terminal = new Terminal();
  private cachedSettings: Settings | undefined;
  private cachedApi: PrimeApi | undefined;

  constructor(options: { plain?: boolean | undefined }) {
    this.out = new Output({ plain: options.plain });
  }

  get settings(): Settings {
    this.cachedSettings ??= resolveSettings();
    return this.cachedSettings;
  }

  /** The team scope of `prime secret …` and `prime env list|create`, if any. */
  get teamId(): string | undefined {
    return this.settings.teamId;
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
