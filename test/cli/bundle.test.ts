import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../infra/build-cli.js';
import { tempDir, useCliHarness } from './harness.js';

const h = useCliHarness();

/**
 * The CLI as it ships (`npm run build:cli`, what `npm pack` runs first): one ESM file that runs
 * on plain Node, copied away from the repository so nothing of node_modules or tsx can help it.
 */
describe('the bundled prime', () => {
  it('prints its version and runs a real command against the service, with no loader and no node_modules', async () => {
    const bundle = await buildCli();
    const dir = tempDir('prime-cli-bundle-');
    const copy = join(dir, 'prime.mjs');
    copyFileSync(bundle, copy);
    // Asynchronous: the service answers from this same process.
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
        const env = {
          PATH: process.env.PATH,
          HOME: dir,
          PRIME_BASE_URL: h.baseUrl,
          PRIME_API_KEY: h.svc.seed.user.apiKey,
        };
        execFile(process.execPath, [copy, ...args], { cwd: dir, env }, (err, stdout, stderr) =>
          done({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await run(['--version'])).toMatchObject({ status: 0, stdout: `${version}\n` });
    const who = await run(['whoami', '-o', 'json']);
    expect(who.status, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout).slug).toBe('dev');
    // The service's own name rule (zod), loaded lazily in source, is in the bundle too.
    const bad = await run(['env', 'create', 'Not Valid']);
    expect(bad.stderr).toMatch(/^Error: Invalid environment name 'Not Valid'/);
  });
});
