import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Runs in the child: imports the bundle, sends each event through `handler`, prints the results,
 * the times taken and the AWS calls made: every HTTP request by its `X-Amz-Target`, seen as the
 * SDK ends it with its body, and the key of each GetItem.
 */
const CHILD = `
import { ClientRequest } from 'node:http';
const calls = {};
const getItemKeys = [];
const end = ClientRequest.prototype.end;
ClientRequest.prototype.end = function (body, ...rest) {
  const target = String(this.getHeader('x-amz-target') ?? 'other');
  calls[target] = (calls[target] ?? 0) + 1;
  if (target.endsWith('.GetItem')) getItemKeys.push(JSON.parse(String(body)).Key);
  return end.call(this, body, ...rest);
};
const [bundle, eventsJson] = process.argv.slice(1);
const events = JSON.parse(eventsJson);
const importStartMs = performance.now();
const { handler } = await import(bundle);
const importMs = performance.now() - importStartMs;
const results = [];
const invokeMs = [];
for (const event of events) {
  const context = { awsRequestId: 'aws-req-' + (event.requestContext?.requestId ?? 'event'), functionName: 'fn', getRemainingTimeInMillis: () => 10000 };
  const started = performance.now();
  results.push(await handler(event, context));
  invokeMs.push(performance.now() - started);
}
const { rss, heapUsed, external } = process.memoryUsage();
const run = { results, timings: { importStartMs, importMs, invokeMs }, calls, getItemKeys, memory: { rss, heapUsed, external } };
process.stdout.write('\\n@@RESULTS@@' + JSON.stringify(run) + '\\n');
`;

/** An API Gateway HTTP API (payload 2.0) event as the route `routePath` receives it. */
export function v2Event(
  method: string,
  routePath: string,
  rawPath: string,
  headers: Record<string, string> = {},
  rawQueryString = '',
) {
  const routeKey = `${method} ${routePath}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers: { host: 'api.example.com', accept: 'application/json', 'user-agent': 'bundle-test', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bundle-test' },
      requestId: `${method}-${rawPath}`,
      routeKey,
      stage: '$default',
      time: '28/Nov/2026:20:51:04 +0000',
      timeEpoch: 1_795_900_000_000,
    },
    isBase64Encoded: false,
  };
}

export interface Result {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface BundleRun {
  results: Result[];
  /** The JSON log lines, in order: stdout's (info and metric lines), then stderr's (warnings and errors). */
  logs: any[];
  /**
   * In ms, from the child's own clock: when the import began (Node's start-up before it), how
   * long it took, and each event's handler call in turn.
   */
  timings: { importStartMs: number; importMs: number; invokeMs: number[] };
  /** The AWS calls made, by `X-Amz-Target` (`DynamoDB_20120810.GetItem`, `TrentService.Decrypt`, …). */
  calls: Record<string, number>;
  /** The key of every GetItem, as sent (`{pk: {S: …}, sk: {S: …}}`). */
  getItemKeys: Record<string, { S?: string }>[];
  /** The process's memory once the last event is answered (`process.memoryUsage()`), in bytes. */
  memory: { rss: number; heapUsed: number; external: number };
}

/**
 * Imports a built bundle in a fresh `node` process (no tsx, no vitest), hands it each event in
 * turn and returns the handler's results and the JSON log lines. `env` is what the stack sets, and
 * what Lambda sets itself; no credentials and no endpoint unless given.
 */
export async function runBundle(file: string, events: unknown[], env: Record<string, string> = {}): Promise<BundleRun> {
  const { stdout, stderr } = await execFileAsync(
    process.execPath,
    ['--input-type=module', '-e', CHILD, pathToFileURL(file).href, JSON.stringify(events)],
    {
      env: {
        PATH: process.env.PATH,
        TABLE_NAME: 'prime-secrets-bundle-test',
        KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'prime-secrets',
        AWS_REGION: 'us-east-1',
        AWS_LAMBDA_LOG_LEVEL: 'INFO',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      timeout: 30_000,
      // A response may be as large as Lambda's 6 MB, and its log lines beside it.
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const [logText, runText] = stdout.split('\n@@RESULTS@@');
  const logs = [
    ...(logText ?? '').split('\n').filter((line) => line.trim() !== ''),
    // Node's own warnings are plain text; the service's lines are JSON.
    ...stderr.split('\n').filter((line) => line.startsWith('{')),
  ].map((line) => JSON.parse(line));
  return { ...(JSON.parse(runText!) as Omit<BundleRun, 'logs'>), logs };
}
