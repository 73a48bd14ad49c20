import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchContext, Size } from '../lib/setup.js';
import { median } from '../lib/stats.js';

/**
 * Item 4: a job-start storm. A fresh service instance (a cold start: no API key, data key or
 * connection cached), then `requests` concurrent runtime reads of one environment from
 * autocannon, run in a process of its own so the load tool does not share the server's event
 * loop. Counts every KMS call and DynamoDB call the instance makes during the storm.
 */

interface StormRun {
  requests: number;
  connections: number;
  durationMs: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connection errors, timeouts and non-2xx answers. */
  errors: number;
  kmsCalls: number;
  dynamoCalls: Record<string, number>;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  /** Server-side failures by status and error name. */
  failures: Record<string, number>;
}

export interface StormFigures {
  size: Size;
  runs: StormRun[];
  /** Medians over the runs (errors and KMS calls: the largest). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  kmsCalls: number;
}

interface AutocannonResult {
  latency: { p50: number; p90: number; p99: number; max: number };
  requests: { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats?: Record<string, { count: number }>;
  start: string;
  finish: string;
}

function autocannonBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
}

function runAutocannon(url: string, headers: Record<string, string>, requests: number): Promise<AutocannonResult> {
  const args = [autocannonBin(), '--json', '--no-progress', '-c', String(requests), '-a', String(requests), '-t', '30'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  args.push(url);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(`autocannon exited with ${code}: ${stderr.slice(-500)}`));
      try {
        done(JSON.parse(stdout) as AutocannonResult);
      } catch {
        fail(new Error(`autocannon printed no JSON: ${stdout.slice(0, 200)} ${stderr.slice(-500)}`));
      }
    });
  });
}

function tally(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = (out[name] ?? 0) + 1;
  return out;
}

export async function measureStorm(
  ctx: BenchContext,
  options: { size?: Size; requests?: number; runs?: number } = {},
): Promise<StormFigures> {
  const size = options.size ?? 100;
  const requests = options.requests ?? 1000;
  const env = ctx.environments[size];
  const runs: StormRun[] = [];
  for (let i = 0; i < (options.runs ?? 3); i++) {
    const instance = await ctx.newInstance();
    try {
      instance.kms.reset();
      const { result, calls } = await instance.recorder.during(() =>
        runAutocannon(
          `${instance.baseUrl}/api/v1/environmentshub/${env.id}/runtime`,
          { authorization: `Bearer ${ctx.seed.serviceKey}`, 'x-job-id': 'storm' },
          requests,
        ),
      );
      const dynamoCalls = tally(calls.map((c) => c.command));
      const durationMs = Date.parse(result.finish) - Date.parse(result.start);
      runs.push({
        requests: result.requests.total,
        connections: requests,
        durationMs,
        rps: result['2xx'] / (durationMs / 1000),
        p50Ms: result.latency.p50,
        p90Ms: result.latency.p90,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
        errors: result.errors + result.timeouts + result.non2xx,
        kmsCalls: instance.kms.calls.length,
        dynamoCalls,
        statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
        failures: tally(instance.failures),
      });
    } finally {
      await instance.close();
    }
  }
  return {
    size,
    runs,
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: Math.max(...runs.map((r) => r.errors)),
    kmsCalls: Math.max(...runs.map((r) => r.kmsCalls)),
  };
}
