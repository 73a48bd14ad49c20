import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildBundles, type BundleInfo } from '../../infra/build.js';
import { summarize, type Summary } from '../lib/stats.js';

/**
 * Item 6: each Lambda bundle, built as `npm run build` builds it (infra/build.ts, into a
 * temporary folder so a concurrent `dist/` is left alone): its size, and the time to import
 * it cold in a fresh `node` process (with the stack's NODE_OPTIONS and a configuration like
 * the deployed one: a KMS key id, so no local key file is touched). Spawns alternate between
 * bundles, so drift weighs on all alike.
 */

export interface BundleFigures {
  resource: string;
  bytes: number;
  gzipBytes: number;
  /** Time of `await import(bundle)` inside the fresh process. */
  importMs: Summary;
  /** Spawn to exit of the whole process (Node's own start included). */
  processMs: Summary;
}

const IMPORT_SCRIPT =
  'const t = performance.now(); const m = await import(process.env.BENCH_BUNDLE_URL);' +
  "if (typeof m.handler !== 'function') throw new Error('no handler');" +
  'process.stdout.write(String(performance.now() - t));';

function importOnce(bundle: BundleInfo): Promise<{ importMs: number; processMs: number }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        NODE_OPTIONS: '--enable-source-maps',
        BENCH_BUNDLE_URL: pathToFileURL(bundle.file).href,
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
      const importMs = Number(stdout);
      if (code !== 0 || !Number.isFinite(importMs)) {
        return fail(new Error(`importing ${bundle.resource} failed (${code}): ${stderr.slice(-500)}`));
      }
      done({ importMs, processMs });
    });
  });
}

export async function measureBundles(spawnsPerBundle = 9): Promise<BundleFigures[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'prime-secrets-bench-dist-'));
  try {
    const bundles = await buildBundles(outDir);
    const times = bundles.map(() => ({ importMs: [] as number[], processMs: [] as number[] }));
    for (let round = 0; round < spawnsPerBundle + 1; round++) {
      for (let j = 0; j < bundles.length; j++) {
        const i = (round + j) % bundles.length;
        const t = await importOnce(bundles[i]!);
        if (round === 0) continue; // the first spawn of each warms the file system cache
        times[i]!.importMs.push(t.importMs);
        times[i]!.processMs.push(t.processMs);
      }
    }
    return bundles.map((b, i) => ({
      resource: b.resource,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      importMs: summarize(times[i]!.importMs),
      processMs: summarize(times[i]!.processMs),
    }));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
