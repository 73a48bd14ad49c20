import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NODE_BUNDLE_OPTIONS, PROJECT_ROOT, REQUIRE_SHIM } from './build.js';

/**
 * `npm run build:cli`: the `prime` CLI as one ESM file, `dist-cli/prime.mjs`, with its
 * dependencies (commander, and zod for the service's own name rules) bundled in, so the
 * packed package needs no TypeScript loader and nothing installed at run time. Built with the
 * Lambda bundles' settings, for the oldest Node the CLI supports.
 */
export const CLI_OUT_DIR = join(PROJECT_ROOT, 'dist-cli');
export const CLI_BUNDLE = join(CLI_OUT_DIR, 'prime.mjs');

export async function buildCli(): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: [join(PROJECT_ROOT, 'cli', 'main.ts')],
    outfile: CLI_BUNDLE,
    target: 'node20',
    define: { 'process.env.PRIME_CLI_VERSION': JSON.stringify(version) },
    banner: { js: REQUIRE_SHIM },
  });
  return CLI_BUNDLE;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(await buildCli());
}
