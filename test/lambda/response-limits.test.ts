import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles, type BundleInfo } from '../../infra/build.js';
import { LAMBDA_RESPONSE_BYTES } from '../../shared/response-size.js';
import { runBundle, v2Event, type Result } from '../support/lambda-bundle.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Lambda's 6 MB limit on what a function returns, measured as Lambda measures it: the JSON of the
 * handler's result, through the built bundles in fresh processes over DynamoDB Local. The body is
 * JSON inside a JSON string, so quotes take four bytes each: 24 values of 64 KiB of `"` (1.5 MiB)
 * would make a 6.3 MB response, a bare 5xx in AWS.
 */

const V1 = '/api/v1';
let svc: TestService;
let outDir: string;
let bundles: Map<string, BundleInfo>;
let quotesEnv: string;
let variablesEnv: string;

beforeAll(async () => {
  svc = await startTestService();
  outDir = mkdtempSync(join(tmpdir(), 'prime-secrets-limits-'));
  bundles = new Map((await buildBundles(outDir)).map((b) => [b.resource, b]));
  const create = async (name: string) =>
    (await svc.must(201, 'POST', `${V1}/environmentshub`, { name })).data.id as string;
  quotesEnv = await create('quotes');
  for (let i = 0; i < 24; i++) {
    await svc.must(201, 'POST', `${V1}/environmentshub/${quotesEnv}/secrets`, {
      name: `QUOTES_${String(i).padStart(2, '0')}`,
      value: '"'.repeat(65_536),
    });
  }
  variablesEnv = await create('many-variables');
  for (let i = 0; i < 100; i++) {
    await svc.must(201, 'POST', `${V1}/environmentshub/${variablesEnv}/variables`, {
      name: `V_${String(i).padStart(3, '0')}`,
      value: String.fromCharCode(65 + (i % 26)).repeat(64_000),
    });
  }
}, 240_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** The resource's bundle run on one event, against the test's table and key file. */
async function invoke(resource: string, event: unknown): Promise<{ result: Result; bytes: number }> {
  const { results } = await runBundle(bundles.get(resource)!.file, [event], {
    TABLE_NAME: svc.tableName,
    DYNAMODB_ENDPOINT: svc.deps.config.dynamoEndpoint!,
    DATA_DIR: svc.dataDir,
    KMS_KEY_ID: '',
  });
  const result = results[0]!;
  // What Lambda would return: the result as JSON, which must fit its limit whatever the answer.
  return { result, bytes: Buffer.byteLength(JSON.stringify(result)) };
}

const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const runtimeEvent = (headers: Record<string, string>) =>
  v2Event('GET', `${V1}/environmentshub/{envId}/runtime`, `${V1}/environmentshub/${quotesEnv}/runtime`, {
    ...auth(svc.seed.serviceKey),
    ...headers,
  });

describe('responses as Lambda returns them', () => {
  it('a runtime read of 1.5 MiB of quotes: compressed for a client that accepts gzip, and within the limit', async () => {
    const { result, bytes } = await invoke('runtime', runtimeEvent({ 'accept-encoding': 'gzip, deflate' }));
    expect(bytes).toBeLessThanOrEqual(LAMBDA_RESPONSE_BYTES);
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-encoding']).toBe('gzip');
    expect((result as Result & { isBase64Encoded: boolean }).isBase64Encoded).toBe(true);
    const set = JSON.parse(gunzipSync(Buffer.from(result.body, 'base64')).toString('utf8')).data;
    expect(Object.keys(set.env)).toHaveLength(24);
    expect(set.env.QUOTES_07).toBe('"'.repeat(65_536));
  });

  it('the same read without gzip: 413 naming the largest entries, never a response over the limit', async () => {
    const { result, bytes } = await invoke('runtime', runtimeEvent({}));
    expect(bytes).toBeLessThanOrEqual(LAMBDA_RESPONSE_BYTES);
    expect(result.statusCode).toBe(413);
    const body = JSON.parse(result.body);
    expect(body.code).toBe('payload_too_large');
    expect(body.detail).toMatch(/^The resolved set takes \d+ bytes as the function returns it/);
    expect(body.detail).toMatch(/Largest entries: QUOTES_\d\d \(\d+ bytes\), QUOTES_/);
    expect(result.body).not.toContain('""""');
  });

  it('a page of 100 variables of 64,000 bytes stops early, with the total, and the client pages on', async () => {
    const list = (offset: number) =>
      invoke(
        'environment-variables',
        v2Event(
          'GET',
          `${V1}/environmentshub/{envId}/variables`,
          `${V1}/environmentshub/${variablesEnv}/variables`,
          auth(svc.seed.user.apiKey),
          `offset=${offset}&limit=100`,
        ),
      );
    const first = await list(0);
    expect(first.bytes).toBeLessThanOrEqual(LAMBDA_RESPONSE_BYTES);
    expect(first.result.statusCode).toBe(200);
    const page = JSON.parse(first.result.body);
    expect(page.totalCount).toBe(100);
    expect(page.data.length).toBeGreaterThan(50);
    expect(page.data.length).toBeLessThan(100);
    const rest = JSON.parse((await list(page.data.length)).result.body);
    expect(page.data.length + rest.data.length).toBe(100);
    expect(rest.data.at(-1).name).toBe('V_099');
  });
});
