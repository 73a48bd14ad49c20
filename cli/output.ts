import type { Source } from '../shared/resolver.js';
import { UsageError } from './errors.js';

/** What commands print: JSON, aligned tables, relative times, colour only on a terminal. */
export type OutputFormat = 'table' | 'json';

const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

export function parseOutputFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UsageError(`Invalid output format '${value}': use table or json.`);
}

type Style = 'bold' | 'dim' | 'green' | 'yellow' | 'cyan' | 'red';
const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  red: [31, 39],
};

export interface Column {
  header: string;
  style?: Style;
}

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class Output {
  readonly color: boolean;

  constructor(
    options: { plain?: boolean | undefined; env?: NodeJS.ProcessEnv } = {},
    private readonly stdout: Stream = process.stdout,
    private readonly stderr: Stream = process.stderr,
  ) {
    const env = options.env ?? process.env;
    this.color = !options.plain && stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  }

  paint(style: Style, text: string): string {
    if (!this.color) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** A line of results, on stdout. */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A line about what happens (notes, progress), on stderr so stdout stays parseable. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  success(text: string): void {
    this.line(this.paint('green', `✓ ${text}`));
  }

  /** What a create prints in table format: what was made, then its id. */
  created(text: string, id: string): void {
    this.success(text);
    this.line(this.paint('dim', `ID: ${id}`));
  }

  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /** Columns padded to their widest cell; colour is added after padding so it never skews widths. */
  table(columns: Column[], rows: string[][], title?: string): void {
    const cells = rows.map((row) => row.map(cellText));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
    const render = (values: string[], style: (i: number) => Style | undefined) =>
      values
        .map((v, i) => {
          const padded = i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0);
          const s = style(i);
          return s ? this.paint(s, padded) : padded;
        })
        .join('  ')
        .trimEnd();
    if (title) this.line(this.paint('bold', title));
    this.line(
      render(
        columns.map((c) => c.header),
        () => 'bold',
      ),
    );
    for (const row of cells) this.line(render(row, (i) => columns[i]?.style));
  }

  /** `label: value` lines, labels aligned. */
  fields(pairs: [string, string][], title?: string): void {
    const width = Math.max(...pairs.map(([label]) => label.length + 1));
    if (title) this.line(this.paint('bold', title));
    for (const [label, value] of pairs) this.line(`  ${`${label}:`.padEnd(width)}  ${cellText(value)}`);
  }
}

/** One line per cell: control characters (a newline in a description) never break the table. */
function cellText(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

const UNITS: [string, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** "just now", "3 minutes ago", "1 day ago"; "-" without a time. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.max(0, Math.floor((now - at) / 1000));
  for (const [unit, size] of UNITS) {
    const count = Math.floor(seconds / size);
    if (count >= 1) return `${count} ${unit}${count === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/** "2026-12-05 20:51 UTC": a time to come, to the minute. */
export function utcTime(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const text = new Date(at).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

/** Names in one cell or field: comma-separated, "-" for none. */
export const listText = (items: string[]) => items.join(', ') || '-';

const VALUE_WIDTH = 30;

/** A variable's value cut to fit a table cell. */
export function shorten(value: string): string {
  return value.length > VALUE_WIDTH ? `${value.slice(0, VALUE_WIDTH - 3)}...` : value;
}

/**
 * A source as the console words it (functions/console/components/badges.tsx), in tables; JSON keeps
 * the wire value.
 */
const SOURCE_WORDS: Record<Source, string> = {
  environment: 'Direct secret',
  'global-linked': 'Linked global secret',
  variable: 'Variable',
};

export const sourceWord = (source: Source) => SOURCE_WORDS[source] ?? source;
