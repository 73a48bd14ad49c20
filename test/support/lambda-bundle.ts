import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs in the child: imports the bundle, sends each event through `handler`, prints the results. */
const CHILD = `
const [bundle, eventsJson] = process.argv.slice(1);
const { handler } = await import(bundle);
const results = [];
for (const event of JSON.parse(eventsJson)) {
  const context = { awsRequestId: 'aws-req-' + event.requestContext.requestId, functionName: 'fn', getRemainingTimeInMillis: () => 10000 };
  results.push(await handler(event, context));
}
process.stdout.write('\\n@@RESULTS@@' + JSON.stringify(results) + '\\n');
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

/**
 * Imports a built bundle in a fresh `node` process (no tsx, no vitest), hands it each event in
 * turn and returns the handler's results and the JSON log lines. `env` is what the stack sets, and
 * what Lambda sets itself; no credentials and no endpoint unless given.
 */
export async function runBundle(
  file: string,
  events: unknown[],
  env: Record<string, string> = {},
): Promise<{ results: Result[]; logs: any[] }> {
  const { stdout } = await execFileAsync(
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
  const [logText, resultText] = stdout.split('\n@@RESULTS@@');
  const logs = (logText ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
  return { results: JSON.parse(resultText!), logs };
}
