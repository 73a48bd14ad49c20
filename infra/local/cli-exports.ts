import type { DevCredentials } from './seed.js';

/**
 * The shell lines `npm start` prints that point `prime` at the local stack, whatever
 * ~/.prime/config.json says (the public client writes its production API there): variables
 * win over the config and any context (cli/config.ts), an empty PRIME_TEAM_ID is the personal
 * scope over a team the config names, and the ones that would pick a context or a server are unset.
 */
export function cliExportLines(credentials: Pick<DevCredentials, 'baseUrl' | 'user'>): string[] {
  return [
    'unset PRIME_CONTEXT PRIME_API_BASE_URL PRIME_RUNTIME_TOKEN',
    `export PRIME_BASE_URL=${shellQuote(credentials.baseUrl)}`,
    `export PRIME_API_KEY=${shellQuote(credentials.user.apiKey)}`,
    'export PRIME_TEAM_ID=',
  ];
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
