import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { fitBody, fitLambdaResponses } from '../../shared/http/lambda-response.js';
import { envelopedBytes, LAMBDA_RESPONSE_BYTES, withinResponseBudget } from '../../shared/response-size.js';

describe("what fits Lambda's response", () => {
  it('counts a body as the envelope holds it: quotes four times, control characters seven', () => {
    expect(envelopedBytes('"')).toBe(Buffer.byteLength(JSON.stringify(JSON.stringify('"'))) - 2);
    expect(envelopedBytes('a"b')).toBe(2 + 1 + 4 + 1 + 2);
    expect(envelopedBytes('\u0001')).toBe(2 + 7 + 2);
  });

  it('passes a body that fits, gzips one that does not when it may, and refuses what cannot fit', () => {
    expect(fitBody('{"data":[]}', false)).toEqual({ body: '{"data":[]}', encoding: undefined });
    const quotes = JSON.stringify({ data: '"'.repeat(1_600_000) });
    expect(fitBody(quotes, false)).toBeUndefined();
    const gzipped = fitBody(quotes, true);
    expect(gzipped?.encoding).toBe('gzip');
    expect(gunzipSync(gzipped!.body as Uint8Array).toString('utf8')).toBe(quotes);
    const noise = JSON.stringify({ data: randomBytes(4_800_000).toString('base64') });
    expect(fitBody(noise, true)).toBeUndefined();
  });

  it('stops a list page before its JSON would pass the limit, never before its first item', () => {
    const big = Array.from({ length: 100 }, (_, i) => ({ name: `V_${i}`, value: 'x'.repeat(64_000) }));
    const kept = withinResponseBudget(big);
    expect(kept.length).toBeLessThan(100);
    expect(envelopedBytes(kept)).toBeLessThanOrEqual(LAMBDA_RESPONSE_BYTES);
    expect(withinResponseBudget(big.slice(0, 3))).toHaveLength(3);
  });

  it("holds any app's text answers to the limit: an HTML page gzipped for a browser, else 413", async () => {
    const app = new Hono();
    app.use('*', fitLambdaResponses());
    app.get('/page', (c) => c.html(`<p>${'&quot;'.repeat(1_200_000)}</p>`));
    app.onError((err, c) => c.text(err.message, (err as { status?: 413 }).status ?? 500));
    const browser = await app.request('/page', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(browser.status).toBe(200);
    expect(browser.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await browser.arrayBuffer())).toString('utf8')).toMatch(/^<p>&quot;/);
    const plain = await app.request('/page');
    expect(plain.status).toBe(413);
    expect(await plain.text()).toMatch(/more than Lambda's 6291456 bytes/);
  });
});
