import { Transform, type TransformCallback } from 'node:stream';
import type { RuntimeSet } from './api.js';

/**
 * `prime env run --mask`: the command's output with each secret value replaced by `***NAME***`.
 *
 * What is masked, per secret (source `environment` or `global-linked`; a name without a source is
 * taken for a secret; variables are never masked): the value, its standard base64 (with and without
 * its `=` padding), its URL encoding (`encodeURIComponent`) and its JSON escaping (`JSON.stringify`
 * without the quotes); a form equal to another is kept once. A file secret's value is the base64
 * of the file, which the command never sees as such (it gets a path): its base64 is masked as
 * given and, when the file is printable UTF-8 text, the text and its URL and JSON forms too.
 * A value under {@link MIN_MASKED_LENGTH} characters is not masked (it would mask ordinary words):
 * {@link maskNeedles} names it, never its value, for a warning; an empty value is left out silently.
 *
 * The {@link Masker} works on bytes, so a value split across writes (or in the middle of a
 * multi-byte character) is still caught: it holds back the end of a chunk only while it may be the
 * start of a needle, at most (longest needle − 1) bytes, and lets it out with the next chunk or at
 * the end. Where needles overlap, the longest one that matches at a position wins.
 */
export const MIN_MASKED_LENGTH = 6;

export interface Needle {
  name: string;
  bytes: Buffer;
}

export interface MaskPlan {
  needles: Needle[];
  /** Secrets not masked because their value is too short, by name. */
  tooShort: string[];
}

const SECRET_SOURCES = new Set(['environment', 'global-linked']);

/** The needles of a runtime set's secrets, and the names of those too short to mask. */
export function maskNeedles(set: Pick<RuntimeSet, 'env' | 'sources' | 'files'>): MaskPlan {
  const needles: Needle[] = [];
  const tooShort: string[] = [];
  for (const [name, value] of Object.entries(set.env)) {
    const isFile = set.files.includes(name);
    const source = set.sources[name];
    if (!isFile && source !== undefined && !SECRET_SOURCES.has(source)) continue;
    const text = isFile ? printableText(Buffer.from(value, 'base64')) : value;
    const shown = text ?? value;
    if (shown === '') continue;
    if ([...shown].length < MIN_MASKED_LENGTH) {
      tooShort.push(name);
      continue;
    }
    const forms = new Set<string>();
    if (isFile) addBase64(forms, value);
    if (text !== undefined) {
      forms.add(text);
      addBase64(forms, Buffer.from(text, 'utf8').toString('base64'));
      forms.add(encodeURIComponent(text));
      forms.add(JSON.stringify(text).slice(1, -1));
    }
    for (const form of forms) needles.push({ name, bytes: Buffer.from(form, 'utf8') });
  }
  return { needles, tooShort };
}

function addBase64(forms: Set<string>, base64: string): void {
  forms.add(base64);
  const unpadded = base64.replace(/=+$/, '');
  if (unpadded.length >= MIN_MASKED_LENGTH) forms.add(unpadded);
}

/** The file's content as text when it is valid UTF-8 without control characters other than tab and line breaks. */
function printableText(content: Buffer): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return undefined;
  }
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

/** The masking itself, chunk by chunk: what may be let out of each chunk, and the rest at the end. */
export class MaskScanner {
  /** Needles by first byte, longest first. */
  private readonly byFirst: Needle[][] = Array.from({ length: 256 }, () => []);
  /** 1 where a needle starts with the byte. */
  private readonly starts = new Uint8Array(256);
  private readonly replacements = new Map<Needle, Buffer>();
  private held: Buffer = Buffer.alloc(0);

  constructor(needles: readonly Needle[]) {
    const seen = new Set<string>();
    for (const needle of [...needles].sort((a, b) => b.bytes.length - a.bytes.length)) {
      const key = needle.bytes.toString('hex');
      if (needle.bytes.length === 0 || seen.has(key)) continue;
      seen.add(key);
      this.byFirst[needle.bytes[0] as number]?.push(needle);
      this.starts[needle.bytes[0] as number] = 1;
      this.replacements.set(needle, Buffer.from(`***${needle.name}***`, 'utf8'));
    }
  }

  /** The masked output `chunk` lets out; the end that may still become a needle waits. */
  write(chunk: Buffer | string): Buffer {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    return this.scan(this.held.length === 0 ? data : Buffer.concat([this.held, data]), false);
  }

  /** What was held back, masked: the stream has ended. */
  end(): Buffer {
    return this.scan(this.held, true);
  }

  /** How many bytes wait for the next chunk. */
  get holding(): number {
    return this.held.length;
  }

  private scan(data: Buffer, final: boolean): Buffer {
    const out: Buffer[] = [];
    const starts = this.starts;
    let from = 0;
    let at = 0;
    this.held = Buffer.alloc(0);
    while (at < data.length) {
      if (starts[data[at] as number] === 0) {
        at += 1;
        continue;
      }
      const outcome = this.matchAt(data, at, final);
      if (outcome === 'partial') {
        this.held = Buffer.from(data.subarray(at));
        break;
      }
      if (outcome === undefined) {
        at += 1;
        continue;
      }
      if (at > from) out.push(data.subarray(from, at));
      out.push(this.replacements.get(outcome) as Buffer);
      at += outcome.bytes.length;
      from = at;
    }
    const end = data.length - this.held.length;
    if (end > from) out.push(data.subarray(from, end));
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  /**
   * The longest needle at `at`; 'partial' when the data ends inside a longer needle that may
   * still match (not at the end of the stream), so the choice waits for more data.
   */
  private matchAt(data: Buffer, at: number, final: boolean): Needle | 'partial' | undefined {
    const available = data.length - at;
    for (const needle of this.byFirst[data[at] as number] ?? []) {
      const bytes = needle.bytes;
      const length = Math.min(bytes.length, available);
      let i = 1;
      while (i < length && data[at + i] === bytes[i]) i += 1;
      if (i < length) continue;
      if (bytes.length <= available) return needle;
      if (!final) return 'partial';
    }
    return undefined;
  }
}

/** A Transform that replaces every needle in the bytes through it with `***NAME***`. */
export class Masker extends Transform {
  private readonly scanner: MaskScanner;

  constructor(needles: readonly Needle[]) {
    super();
    this.scanner = new MaskScanner(needles);
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const out = this.scanner.write(chunk);
    if (out.length > 0) this.push(out);
    done();
  }

  override _flush(done: TransformCallback): void {
    const out = this.scanner.end();
    if (out.length > 0) this.push(out);
    done();
  }
}

/** `chunks` masked as if written one after the other. */
export function maskChunks(needles: readonly Needle[], chunks: readonly (string | Buffer)[]): Buffer {
  const scanner = new MaskScanner(needles);
  return Buffer.concat([...chunks.map((chunk) => scanner.write(chunk)), scanner.end()]);
}
