/**
 * A failure the CLI reports as one line on stderr, exiting with `exitCode`. Its message
 * is shown as is, so it never holds a secret value or an API key.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The one line printed for any failure: a CliError's message, never a stack trace. */
export function errorLine(err: unknown): string {
  const message =
    err instanceof CliError ? err.message : `Unexpected failure: ${err instanceof Error ? err.message : String(err)}`;
  return `Error: ${message.replace(/\s*\n\s*/g, ' ')}`;
}
