import { CliError, EXIT } from './errors.js';

/** The HTTP side of the API: JSON envelopes (shared/http/openapi.ts), bearer key, error bodies (shared/errors.ts). */
export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  /** How long one attempt may take, from connecting to the answer's last byte (PRIME_TIMEOUT). */
  timeoutMs: number;
  /** Where the client says what it does besides answering: a wait before a retry, the target of a write. */
  note?: (line: string) => void;
  /** Said once, before the first request that writes: where writes go, when nobody named it this run. */
  targetNote?: string | undefined;
}

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  query?: Query | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
}

interface Envelope<T> {
  data: T;
  totalCount?: number;
  /** The next page's position, on routes paged by cursor (the audit log). */
  cursor?: string | null;
}

interface ValidationIssue {
  loc?: unknown[];
  msg?: string;
}

const PAGE_SIZE = 500;

/**
 * Retries: a 429 (the rate limit refuses before a route runs, so nothing was done) for any
 * method; a 503 `unavailable` only for what the contract makes safe to send twice, reads and
 * PUT (a requirement's PUT is idempotent), since a write it cut off may have committed. Each
 * waits what Retry-After says (else 1, 2, 4 s); a wait over MAX_WAIT_SECONDS is not taken, the
 * failure is reported with it. A timeout or a lost connection is not retried: a write may have
 * landed, and a server that does not answer in PRIME_TIMEOUT rarely does on the next try.
 */
const MAX_RETRIES = 3;
const MAX_WAIT_SECONDS = 60;
const SAFE_TO_REPEAT_ON_503 = new Set(['GET', 'PUT']);

export class ApiClient {
  private readonly root: string;
  private targetSaid = false;

  constructor(private readonly options: ApiClientOptions) {
    this.root = apiRoot(options.baseUrl);
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query }).then((e) => e.data);
  }

  post<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>('POST', path, { body, query }).then((e) => e.data);
  }

  patch<T>(path: string, body: unknown, query?: Query, headers?: Record<string, string>): Promise<T> {
    return this.request<T>('PATCH', path, { body, query, headers }).then((e) => e.data);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body }).then((e) => e.data);
  }

  delete<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', path, { query }).then((e) => e.data);
  }

  /** Every item of a list route, page by page. */
  async list<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    for (;;) {
      const page = await this.request<T[]>('GET', path, {
        query: { ...query, offset: items.length, limit: PAGE_SIZE },
      });
      items.push(...page.data);
      if (page.data.length === 0 || items.length >= (page.totalCount ?? items.length)) return items;
    }
  }

  /** Up to `most` items of a route paged by cursor, newest first, page by page. */
  async listByCursor<T>(path: string, query: Query, most: number): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request<T[]>('GET', path, {
        query: { ...query, cursor, limit: Math.min(PAGE_SIZE, most - items.length) },
      });
      items.push(...page.data);
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined && items.length < most);
    return items;
  }

  private async request<T>(method: string, path: string, options: RequestOptions): Promise<Envelope<T>> {
    const url = new URL(this.root + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    if (method !== 'GET' && this.options.targetNote && !this.targetSaid) {
      this.targetSaid = true;
      this.options.note?.(this.options.targetNote);
    }
    for (let retry = 0; ; retry++) {
      try {
        return await this.attempt<T>(method, url, options);
      } catch (err) {
        const wait = retry < MAX_RETRIES ? waitBeforeRetry(method, err, retry) : undefined;
        if (wait === undefined) throw err;
        const why = (err as ApiRefusal).status === 429 ? 'Rate limited by the service' : 'The service is unavailable';
        this.options.note?.(`${why}: waiting ${wait}s…`);
        await new Promise((done) => setTimeout(done, wait * 1000));
      }
    }
  }

  private async attempt<T>(method: string, url: URL, options: RequestOptions): Promise<Envelope<T>> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (err) {
      if (signal.aborted) {
        throw new CliError(
          `No answer from the API at ${this.options.baseUrl} within ${this.options.timeoutMs / 1000} s (PRIME_TIMEOUT).`,
          EXIT.unreachable,
        );
      }
      throw new CliError(`Cannot reach the API at ${this.options.baseUrl}: ${networkCause(err)}`, EXIT.unreachable);
    }
    const body = parseJson(text);
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
      throw new ApiRefusal(
        errorDetail(response.status, body),
        errorCode(body),
        response.status,
        retryAfter,
        response.headers.get('x-request-id') ?? undefined,
      );
    }
    if (!body || typeof body !== 'object' || !('data' in body)) {
      throw new CliError(`Unexpected response from ${this.options.baseUrl} (HTTP ${response.status}).`);
    }
    return body as Envelope<T>;
  }
}

/** Seconds to wait before sending `method` again after `err`, or undefined: do not (see MAX_RETRIES). */
function waitBeforeRetry(method: string, err: unknown, retry: number): number | undefined {
  if (!(err instanceof ApiRefusal)) return undefined;
  if (err.status !== 429 && !(err.status === 503 && SAFE_TO_REPEAT_ON_503.has(method))) return undefined;
  const seconds = Number.isFinite(err.retryAfterSeconds) ? Math.max(0, Math.ceil(err.retryAfterSeconds)) : 2 ** retry;
  return seconds <= MAX_WAIT_SECONDS ? seconds : undefined;
}

/**
 * An error answer of the API: its detail as the message, and its machine `code`, HTTP status
 * and `Retry-After` seconds (NaN without one) for a command to act on. A 5xx also names the
 * answer's request id (`X-Request-Id`), which the service's logs carry: the one thing to
 * quote when reporting it.
 */
export class ApiRefusal extends CliError {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status = 0,
    readonly retryAfterSeconds = Number.NaN,
    requestId?: string,
  ) {
    super(withRequestId(withRetryAfter(message, status, retryAfterSeconds), status, requestId), exitCodeOf(status));
  }
}

/** 404 is "not found", 401 and 403 "auth"; any other refusal is a failure the service reported. */
function exitCodeOf(status: number): number {
  if (status === 404) return EXIT.notFound;
  if (status === 401 || status === 403) return EXIT.auth;
  return EXIT.failure;
}

/** A refusal that asks to wait (429, 503) says how long, so a script can. */
function withRetryAfter(message: string, status: number, seconds: number): string {
  return (status === 429 || status === 503) && Number.isFinite(seconds)
    ? `${message} (Retry-After: ${seconds} s)`
    : message;
}

/** A request id is a short run of visible ASCII (API Gateway's, or the service's own); anything else is not printed. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

function withRequestId(message: string, status: number, requestId: string | undefined): string {
  return status >= 500 && requestId && REQUEST_ID.test(requestId) ? `${message} (request id: ${requestId})` : message;
}

/** `http://host:8787` (or one already ending in /api/v1) → the root every path hangs from. */
function apiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v1') ? trimmed : `${trimmed}/api/v1`;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The API's `detail`: a string as is, a 422 list field by field. */
function errorDetail(status: number, body: unknown): string {
  const detail = body && typeof body === 'object' ? (body as { detail?: unknown }).detail : undefined;
  if (typeof detail === 'string' && detail) return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return `Invalid request: ${(detail as ValidationIssue[]).map(describeIssue).join('; ')}`;
  }
  return `The API answered HTTP ${status}.`;
}

function errorCode(body: unknown): string | undefined {
  const code = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function describeIssue(issue: ValidationIssue): string {
  const loc = (issue.loc ?? []).filter(
    (part, i) => !(i === 0 && ['body', 'query', 'path', 'header'].includes(String(part))),
  );
  const field = loc.join('.');
  return field ? `${field}: ${issue.msg ?? 'invalid'}` : (issue.msg ?? 'invalid');
}

/** Why fetch failed, from its cause (`connect ECONNREFUSED 127.0.0.1:1`, `getaddrinfo ENOTFOUND x`). */
function networkCause(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return err instanceof Error ? err.message : String(err);
}
