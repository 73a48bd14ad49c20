import { CliError } from './errors.js';

/**
 * Questions on the terminal: prompts go to stderr, answers come from a TTY stdin read in raw
 * mode (so a hidden answer is never echoed). Off a terminal every question is an error that
 * says which flag to pass instead.
 */
export class Terminal {
  constructor(
    private readonly input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WriteStream = process.stderr,
  ) {}

  get interactive(): boolean {
    return this.input.isTTY === true;
  }

  /** The answer to `question`; `instead` says what to pass when there is no terminal. */
  async ask(question: string, instead: string, options: { hidden?: boolean } = {}): Promise<string> {
    this.requireTerminal(instead);
    return this.readLine(`${question}: `, options.hidden === true);
  }

  async confirm(question: string, instead: string): Promise<boolean> {
    this.requireTerminal(instead);
    const answer = await this.readLine(`${question} [y/N]: `, false);
    return /^y(es)?$/i.test(answer.trim());
  }

  /** Checked before any request: off a terminal, a change that needs confirming needs `--yes`. */
  requireApproval(yes: boolean | undefined): void {
    if (!yes) this.requireTerminal('Confirm with --yes');
  }

  /** Whether to go on: `--yes`, else the answer to `question`. */
  async approve(yes: boolean | undefined, question: string): Promise<boolean> {
    return yes === true || this.confirm(question, 'Confirm with --yes');
  }

  /** One of `items`, chosen by number from a numbered list. */
  async choose<T>(items: T[], label: (item: T) => string, question: string, instead: string): Promise<T> {
    this.requireTerminal(instead);
    for (const [i, item] of items.entries()) this.output.write(`  ${i + 1}. ${label(item)}\n`);
    const answer = (await this.readLine(`${question} [1-${items.length}]: `, false)).trim();
    const chosen = /^\d+$/.test(answer) ? items[Number(answer) - 1] : undefined;
    if (chosen === undefined) throw new CliError(`No such choice '${answer}'.`);
    return chosen;
  }

  /** Throws, saying what to pass `instead`, when there is no terminal to ask on. */
  requireTerminal(instead: string): void {
    if (!this.interactive) throw new CliError(`${instead} (no terminal to ask on).`);
  }

  /** Raw mode is on before the prompt shows, so an answer typed at once is never echoed. */
  private readLine(prompt: string, hidden: boolean): Promise<string> {
    const { input, output } = this;
    input.setRawMode(true);
    output.write(prompt);
    return new Promise((resolve, reject) => {
      let answer = '';
      const finish = (error?: CliError) => {
        input.off('data', onData);
        input.setRawMode(false);
        input.pause();
        output.write('\n');
        if (error) reject(error);
        else resolve(answer);
      };
      const onData = (chunk: string) => {
        for (const ch of chunk.replace(/\u001b\[[0-9;]*[A-Za-z~]/g, '')) {
          if (ch === '\r' || ch === '\n') return finish();
          if (ch === '\u0003') return finish(new CliError('Cancelled.', 130));
          if (ch === '\u0004') {
            if (answer === '') return finish(new CliError('Cancelled.', 130));
            return finish();
          }
          if (ch === '\u007f' || ch === '\b') {
            if (answer.length > 0) {
              answer = [...answer].slice(0, -1).join('');
              if (!hidden) output.write('\b \b');
            }
          } else if (ch >= ' ') {
            answer += ch;
            if (!hidden) output.write(ch);
          }
        }
      };
      input.setEncoding('utf8');
      input.on('data', onData);
      input.resume();
    });
  }
}

/** All of standard input, without the one trailing newline `echo` adds. */
export async function readStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
