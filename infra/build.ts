import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { RESOURCES, type Resource } from '../functions/routes.js';

/**
 * `npm run build`: one self-contained bundle per resource of the route table (and per worker), for Lambda
 * (Node.js 22.x, arm64). `dist/<resource>/index.mjs` (+ `.map`), handler `index.handler`, and
 * beside it, for the functions that trace, `tracer.mjs` (+ `.map`), loaded only with tracing on.
 *
 * The AWS SDK is bundled, not left to the runtime's copy: the function then runs exactly the
 * SDK versions pinned in package-lock.json (and tested), whatever the Lambda runtime ships.
 */

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT_DIR = join(PROJECT_ROOT, 'dist');
/** The file name of each bundle in its folder; the Lambda handler is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';

/** Functions with no route: Lambda calls them from an event source (the audit stream's forwarder). */
export const WORKERS = ['audit-stream'] as const;
export type Worker = (typeof WORKERS)[number];
/** Every function the stack may deploy: one per resource of the route table, and the workers. */
export type FunctionName = Resource | Worker;

export interface BundleInfo<Name extends string = FunctionName> {
  /** The function it is (the bench's baseline bundle has a name of its own). */
  resource: Name;
  /** The folder deployed as the function's code. */
  dir: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  /** Every source file it carries (esbuild's metafile), relative to the project root. */
  inputs: string[];
  /** What it imports at run time (esbuild's metafile): Node's built-ins, and the tracer, dynamically. */
  imports: { path: string; kind: string }[];
}

export const entryPointOf = (name: FunctionName) => join(PROJECT_ROOT, 'functions', name, 'handler.ts');

/**
 * zod's namespace (`z`, handed whole to @hono/zod-openapi's extension of it) keeps every export
 * alive, its error messages in some fifty languages among them: a quarter of each bundle, parsed
 * on every cold start. The service speaks English only (zod's default locale), so the bundles
 * carry that one.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(plugins) {
    plugins.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, ({ path }) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: dirname(path),
      loader: 'js',
    }));
  },
};

/**
 * The tracer (shared/tracer.ts, Powertools Tracer and the X-Ray SDK) is a file of its own beside
 * each bundle, `tracer.mjs`, which shared/tracing.ts imports only with tracing on: a function
 * with tracing off never reads it, so its cold start parses none of it.
 */
export const TRACER_FILE = 'tracer.mjs';
const TRACER_ENTRY = join(PROJECT_ROOT, 'shared', 'tracer.ts');
const tracerApart: Plugin = {
  name: 'tracer-apart',
  setup(plugins) {
    plugins.onResolve({ filter: /^\.\/tracer\.js$/ }, ({ importer, kind }) =>
      kind === 'dynamic-import' && importer === join(PROJECT_ROOT, 'shared', 'tracing.ts')
        ? { path: `./${TRACER_FILE}`, external: true }
        : undefined,
    );
  },
};

/** The esbuild settings every Node bundle of this project shares: the Lambdas' and the CLI's (infra/build-cli.ts). */
export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  minify: true,
  // The ESM builds of the SDK and Hono tree-shake better than their CommonJS ones.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [zodEnglishOnly],
} satisfies BuildOptions;

/** CommonJS dependencies inside an ESM bundle still call require() for Node built-ins. */
export const REQUIRE_SHIM = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

/**
 * Builds every function's bundle (each resource's, each worker's) into `outDir/<name>/` in one
 * esbuild run (each output stands alone: no code splitting). The folder is emptied first so no
 * stale file ships.
 */
export function buildBundles(outDir: string = DEFAULT_OUT_DIR): Promise<BundleInfo[]> {
  return buildLambdaBundles(
    outDir,
    Object.fromEntries([...RESOURCES, ...WORKERS].map((name) => [name, entryPointOf(name)])) as Record<
      FunctionName,
      string
    >,
  );
}

/**
 * Builds each entry point into `outDir/<name>/index.mjs` as a Lambda bundle: the functions'
 * (`buildBundles`), and the bench's baseline of the AWS SDK clients alone, built alike.
 */
export async function buildLambdaBundles<Name extends string>(
  outDir: string,
  entryPoints: Record<Name, string>,
): Promise<BundleInfo<Name>[]> {
  rmSync(outDir, { recursive: true, force: true });
  const names = Object.keys(entryPoints) as Name[];
  const { metafile } = await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: Object.fromEntries(
      names.flatMap((name) => [
        [`${name}/index`, entryPoints[name]],
        [`${name}/tracer`, TRACER_ENTRY],
      ]),
    ),
    plugins: [...NODE_BUNDLE_OPTIONS.plugins, tracerApart],
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    target: 'node22',
    sourcemap: true,
    // Stack traces map back to the TypeScript through NODE_OPTIONS=--enable-source-maps.
    sourcesContent: false,
    banner: { js: REQUIRE_SHIM },
    metafile: true,
  });
  // The metafile names files relative to the working directory, outputs and inputs alike.
  const fromCwd = (path: string) => resolve(process.cwd(), path);
  const outputs = new Map(Object.entries(metafile.outputs).map(([path, output]) => [fromCwd(path), output]));
  return names.map((name) => {
    const dir = join(outDir, name);
    const file = join(dir, BUNDLE_FILE);
    const output = outputs.get(resolve(file));
    if (!output) throw new Error(`esbuild wrote no ${file}`);
    // A bundle that never imports the tracer (one without the service's clients) ships none.
    if (!output.imports.some((i) => i.path === `./${TRACER_FILE}`)) {
      for (const extra of [TRACER_FILE, `${TRACER_FILE}.map`]) rmSync(join(dir, extra));
    }
    return {
      resource: name,
      dir,
      file,
      bytes: statSync(file).size,
      gzipBytes: gzipSync(readFileSync(file)).length,
      mapBytes: statSync(`${file}.map`).size,
      inputs: Object.keys(output.inputs).map((path) => relative(PROJECT_ROOT, fromCwd(path))),
      imports: output.imports.map(({ path, kind }) => ({ path, kind })),
    };
  });
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const shown = (file: string) => {
  const rel = relative(PROJECT_ROOT, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
};

export function formatSizes(bundles: BundleInfo[]): string {
  const rows = bundles.map((b) =>
    [
      b.resource.padEnd(22),
      kib(b.bytes).padStart(11),
      kib(b.gzipBytes).padStart(11),
      kib(b.mapBytes).padStart(11),
      `  ${shown(b.file)}`,
    ].join(''),
  );
  return [`${'bundle'.padEnd(22)}${'size'.padStart(11)}${'gzip'.padStart(11)}${'map'.padStart(11)}`, ...rows].join(
    '\n',
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT_DIR;
  const bundles = await buildBundles(outDir);
  console.log(formatSizes(bundles));
}
