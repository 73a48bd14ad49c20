import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { resolve, dirname } from 'node:path';

/**
 * `npm run build:cli`: the `prime` CLI as one ESM file, `dist-cli/prime.mjs`, with its
 * dependencies (commander, and zod for the service's own name rules) bundled in, so the
 * packed package needs no TypeScript loader and nothing installed at run time. The same
 * esbuild settings as the Lambda bundles (infra/build.ts), for the Node the CLI supports.
 */
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT_DIR = join(PROJECT_ROOT, 'dist-cli');
export const CLI_BUNDLE = join(CLI_OUT_DIR, 'prime.mjs');

export async function buildCli(): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [join(PROJECT_ROOT, 'cli', 'main.ts')],
    outfile: CLI_BUNDLE,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.PRIME_CLI_VERSION': JSON.stringify(version) },
    banner: {
      js: "#!/usr/bin/env node\nimport{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
  });
  return CLI_BUNDLE;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(await buildCli());
}
