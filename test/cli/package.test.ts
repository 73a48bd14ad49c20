import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir, useCliHarness } from './harness.js';

const h = useCliHarness();
const exec = promisify(execFile);

/** A command's outcome, failed or not. */
async function outcome(file: string, args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await exec(file, args, { env, cwd: env.HOME });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout: string; stderr: string };
    return { code: failed.code ?? 1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * What runs, and nothing else: no source map or a pointer to one (whose paths would be this
 * machine's), no path of this machine, no key or private key, no test code, no script that
 * runs on install.
 */
function expectOnlyWhatRuns(dir: string, localPaths: string[]) {
  const packed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  expect(packed.bin).toEqual({ prime: 'cli/bin/prime.js' });
  expect(Object.keys(packed.scripts ?? {}).filter((s) => /install|prepare/.test(s))).toEqual([]);
  for (const file of ['cli/bin/prime.js', 'dist-cli/prime.mjs', 'package.json', 'README.md']) {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text, file).not.toMatch(/sourceMappingURL|sourcesContent/);
    for (const path of localPaths) expect(text.includes(path), `${file} holds ${path}`).toBe(false);
    expect(text, file).not.toMatch(/prime_[A-Za-z0-9_-]{40,}|-----BEGIN [A-Z ]*PRIVATE KEY|AKIA[0-9A-Z]{16}/);
    if (file.endsWith('.mjs')) expect(text, file).not.toMatch(/vitest|fast-check|describe\(['"]/);
  }
}

/**
 * The CLI as it ships: `npm pack` (whose prepack bundles it), then `npm install -g` of the
 * tarball into an empty prefix with `--omit=dev` and no registry, then `prime` run from there
 * on plain Node: no TypeScript loader, nothing of this checkout.
 */
describe('the packed prime', () => {
  it('holds only what runs, installs with --omit=dev offline, and runs commands against the service', async () => {
    const work = tempDir('prime-pack-');
    const home = join(work, 'home');
    mkdirSync(home);
    const npmEnv = { PATH: process.env.PATH, HOME: home };
    const packed = await outcome('npm', ['pack', '--silent', '--pack-destination', work, process.cwd()], npmEnv);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) as string);

    const listed = await outcome('tar', ['-tzf', tarball], npmEnv);
    expect(listed.stdout.trim().split('\n').sort()).toEqual([
      'package/README.md',
      'package/cli/bin/prime.js',
      'package/dist-cli/prime.mjs',
      'package/package.json',
    ]);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    expect((await outcome('tar', ['-xzf', tarball, '-C', unpacked], npmEnv)).code).toBe(0);
    expectOnlyWhatRuns(join(unpacked, 'package'), [process.cwd(), homedir(), work]);

    const prefix = join(work, 'global');
    const installed = await outcome(
      'npm',
      ['install', '-g', '--prefix', prefix, tarball, '--omit=dev', '--offline', '--no-audit', '--no-fund'],
      npmEnv,
    );
    expect(installed.code, installed.stderr).toBe(0);

    // Only Node on the PATH: no npx, no tsx, no node_modules/.bin of this checkout.
    const prime = (args: string[]) =>
      outcome(join(prefix, 'bin', 'prime'), args, {
        PATH: dirname(process.execPath),
        HOME: home,
        PRIME_BASE_URL: h.baseUrl,
        PRIME_API_KEY: h.svc.seed.user.apiKey,
      });
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await prime(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    const who = await prime(['whoami', '-o', 'json']);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout).slug).toBe('dev');
    // The service's own name rule (zod), loaded lazily from source, is in the bundle too.
    const bad = await prime(['env', 'create', 'Not Valid']);
    expect(bad.stderr).toMatch(/^Error: Invalid environment name 'Not Valid'/);
    expect(bad.code).not.toBe(0);
  });
});
