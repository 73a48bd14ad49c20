import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildLambdaBundles, entryPointOf, TRACER_FILE } from '../../infra/build.js';
import { RESOURCES, type Resource } from '../../functions/routes.js';
import { summarize, type Summary } from '../lib/stats.js';

/**
 * Each Lambda bundle, built as `npm run build` builds it (infra/build.ts, into a temporary
 * folder so a concurrent `dist/` is left alone), beside a baseline bundle of the AWS SDK
 * clients alone (bench/lib/sdk-only-handler.ts) built in the same esbuild run: sizes, and the
 * time to import each cold in a fresh `node` process (with the stack's NODE_OPTIONS and a
 * configuration like the deployed one: a KMS key id, so no local key file is touched), and the
 * runtime bundle followed by its tracer, as a function with tracing on loads both. Spawns
 * alternate between bundles, baseline included, so drift weighs on all alike.
 */

export const SDK_ONLY = 'sdk-only';
/** The runtime bundle, then its tracer.mjs, loaded and set up as with tracing on (shared/tracing.ts). */
export const RUNTIME_TRACED = 'runtime + tracer';

export interface BundleFigures {
  resource: Resource | typeof SDK_ONLY | typeof RUNTIME_TRACED;
  bytes: number;
  gzipBytes: number;
  /** Time of `await import(bundle)` inside the fresh process. */
  importMs: Summary;
  /** Spawn to exit of the whole process (Node's own start included). */
  processMs: Summary;
  /** Median import ÷ the SDK-only bundle's median import. */
  importVsSdk: number;
  /**
   * CPU time of the same import (`process.cpuUsage`): what the import itself costs, steadier
   * than wall time on a machine other work shares.
   */
  importCpuMs: Summary;
  importCpuVsSdk: number;
}

const SDK_ONLY_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'sdk-only-handler.ts');

const IMPORT_SCRIPT =
  'const t = performance.now(); const c = process.cpuUsage(); const m = await import(process.env.BENCH_BUNDLE_URL);' +
  'if (process.env.BENCH_TRACER_URL) (await import(process.env.BENCH_TRACER_URL)).captureClients([]);' +
  'const wall = performance.now() - t; const cpu = process.cpuUsage(c);' +
  "if (typeof m.handler !== 'function') throw new Error('no handler');" +
  "process.stdout.write(wall + ' ' + (cpu.user + cpu.system) / 1000);";

interface ImportTimes {
  importMs: number;
  importCpuMs: number;
  processMs: number;
}

interface Spawned {
  resource: BundleFigures['resource'];
  file: string;
  /** A tracer.mjs imported after the bundle, in the same timing. */
  tracer?: string;
}

function importOnce({ resource: name, file, tracer }: Spawned): Promise<ImportTimes> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        NODE_OPTIONS: '--enable-source-maps',
        BENCH_BUNDLE_URL: pathToFileURL(file).href,
        ...(tracer ? { BENCH_TRACER_URL: pathToFileURL(tracer).href } : {}),
        TABLE_NAME: 'prime-secrets-bench',
        KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/00000000-bench-0000-0000-000000000000',
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const processMs = performance.now() - started;
      const [importMs, importCpuMs] = stdout.split(' ').map(Number);
      if (code !== 0 || !Number.isFinite(importMs) || !Number.isFinite(importCpuMs)) {
        return fail(new Error(`importing ${name} failed (${code}): ${stderr.slice(-500)}`));
      }
      done({ importMs: importMs!, importCpuMs: importCpuMs!, processMs });
    });
  });
}

/**
 * 20 spawns of each: the runtime bundle's import is within a few milliseconds of the SDK's, and
 * with fewer a median of either moves the ratio by a few hundredths from run to run.
 */
export async function measureBundles(spawnsPerBundle = 20): Promise<BundleFigures[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'prime-secrets-bench-dist-'));
  try {
    const bundles = await buildLambdaBundles(outDir, {
      ...(Object.fromEntries(RESOURCES.map((r) => [r, entryPointOf(r)])) as Record<Resource, string>),
      [SDK_ONLY]: SDK_ONLY_ENTRY,
    });
    const runtime = bundles.find((b) => b.resource === 'runtime')!;
    const tracer = join(runtime.dir, TRACER_FILE);
    const spawned: (Spawned & { bytes: number; gzipBytes: number })[] = [
      ...bundles,
      {
        resource: RUNTIME_TRACED,
        file: runtime.file,
        tracer,
        bytes: runtime.bytes + statSync(tracer).size,
        gzipBytes: runtime.gzipBytes + gzipSync(readFileSync(tracer)).length,
      },
    ];
    const times = spawned.map(() => ({
      importMs: [] as number[],
      importCpuMs: [] as number[],
      processMs: [] as number[],
    }));
    for (let round = 0; round < spawnsPerBundle + 1; round++) {
      for (let j = 0; j < spawned.length; j++) {
        const i = (round + j) % spawned.length;
        const t = await importOnce(spawned[i]!);
        if (round === 0) continue; // the first spawn of each warms the file system cache
        times[i]!.importMs.push(t.importMs);
        times[i]!.importCpuMs.push(t.importCpuMs);
        times[i]!.processMs.push(t.processMs);
      }
    }
    const importMs = times.map((t) => summarize(t.importMs));
    const importCpuMs = times.map((t) => summarize(t.importCpuMs));
    const sdk = spawned.findIndex((b) => b.resource === SDK_ONLY);
    return spawned.map((b, i) => ({
      resource: b.resource,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      importMs: importMs[i]!,
      processMs: summarize(times[i]!.processMs),
      importVsSdk: importMs[i]!.median / importMs[sdk]!.median,
      importCpuMs: importCpuMs[i]!,
      importCpuVsSdk: importCpuMs[i]!.median / importCpuMs[sdk]!.median,
    }));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
