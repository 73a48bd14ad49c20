/**
 * What `prime` exits with, so a script or a CI job can tell failures apart without reading
 * stderr. `prime --help` and the README list them; a command run by `prime env run` exits as
 * that command did instead.
 */
export const EXIT = {
  ok: 0,
  /** The service answered with a failure (a conflict, an invalid value, a 5xx), or another failure. */
  failure: 1,
  /** The command line was wrong: an unknown command or option, a missing or malformed argument. */
  usage: 2,
  notFound: 3,
  /** No key, a key the service refused (401), or a role that may not do this (403). */
  auth: 4,
  /** The service could not be reached, or did not answer in time. */
  unreachable: 5,
} as const;

/** The exit codes as `prime --help` and the README list them. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  success',
  '  1  the service reported a failure (or another failure)',
  '  2  usage: unknown command or option, missing or malformed argument',
  '  3  not found',
  '  4  authentication or permission: no API key, a refused key, a role that may not do this',
  '  5  the service could not be reached or did not answer in time (PRIME_TIMEOUT)',
  'prime env run exits as its command did.',
].join('\n');

/**
 * A failure the CLI reports as one line on stderr, exiting with `exitCode`. Its message
 * is shown as is, so it never holds a secret value or an API key.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command line the CLI cannot act on (exit 2): said before anything is sent. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The one line printed for any failure: a CliError's message, never a stack trace. */
export function errorLine(err: unknown): string {
  const message =
    err instanceof CliError ? err.message : `Unexpected failure: ${err instanceof Error ? err.message : String(err)}`;
  return `Error: ${message.replace(/\s*\n\s*/g, ' ')}`;
}
