import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAnsweringProxies } from './answering-proxy.js';
import { tempDir, useCliHarness } from './harness.js';

/**
 * `prime env secret import`, `prime env var import` and `prime secret import`, the real CLI
 * against the real service (the dotenv reader alone: dotenv-import.test.ts).
 */
const h = useCliHarness();
const startProxy = useAnsweringProxies(() => h.baseUrl);
const dir = tempDir('prime-cli-import-');
let files = 0;

/** A dotenv file with exactly these bytes. */
function dotenvFile(content: string | Buffer): string {
  const path = join(dir, `import-${++files}.env`);
  writeFileSync(path, content);
  return path;
}

/** A fresh personal environment: its slug and id. */
async function environment() {
  const name = `import-${Math.random().toString(36).slice(2, 10)}`;
  const env = (await h.svc.must(201, 'POST', '/api/v1/environmentshub', { name })).data;
  return { slug: `dev/${name}`, id: env.id as string };
}

/** Every name an environment holds, with its kind, version and (for a variable) value. */
async function holdings(envId: string) {
  const secrets = (await h.svc.must(200, 'GET', `/api/v1/environmentshub/${envId}/secrets?limit=500`)).data;
  const variables = (await h.svc.must(200, 'GET', `/api/v1/environmentshub/${envId}/variables?limit=500`)).data;
  return [
    ...secrets.map((s: any) => ({ name: s.name, kind: s.source, version: s.version })),
    ...variables.map((v: any) => ({ name: v.name, kind: 'variable', version: v.version, value: v.value })),
  ].sort((a, b) => a.name.localeCompare(b.name));
}

const SECRET_VALUES = ['sk-live-1', 'p@ss "word"', 'multi\nline\nkey', 'tab\there'];
const expectNoValue = (output: string) => {
  for (const v of [...SECRET_VALUES, 'hunter2', 'nul-secret', 'race-value']) expect(output).not.toContain(v);
};

describe('prime env secret import', () => {
  it('imports quotes, export, comments, CRLF and a BOM as dotenv reads them, printing names only', async () => {
    const env = await environment();
    const content = [
      '# service credentials',
      'export API_KEY=sk-live-1',
      'PASSWORD=\'p@ss "word"\'  # single quotes: literal',
      'PRIVATE_KEY="multi',
      'line',
      'key"',
      'TABBED="tab\\there"',
      "BACKTICK=`it's $HOME`",
      '',
    ].join('\r\n');
    const file = dotenvFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(content)]));
    const r = await h.run(['env', 'secret', 'import', env.slug, file]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      `✓ Imported 5 direct secrets into ${env.slug}: 5 created, 0 updated\n` +
        '  created   API_KEY\n  created   PASSWORD\n  created   PRIVATE_KEY\n  created   TABBED\n  created   BACKTICK\n',
    );
    expectNoValue(r.stdout + r.stderr);
    expect(await h.svc.runtimeEnv(env.id)).toEqual({
      API_KEY: 'sk-live-1',
      PASSWORD: 'p@ss "word"',
      PRIVATE_KEY: 'multi\nline\nkey',
      TABBED: 'tab\there',
      BACKTICK: "it's $HOME",
    });
    expect((await holdings(env.id)).every((e) => e.kind === 'environment')).toBe(true);
  });

  it('refuses a file with a name twice, a bad name or a NUL before any request, naming the lines', async () => {
    const env = await environment();
    const [twice, badName, nul] = await Promise.all([
      h.run(['env', 'secret', 'import', env.slug, dotenvFile('FIRST=hunter2\nSECOND=x\nFIRST=hunter2\n')]),
      h.run(['env', 'secret', 'import', env.slug, dotenvFile('GOOD=hunter2\nmy-key=hunter2\n')]),
      h.run(['env', 'secret', 'import', env.slug, dotenvFile('OK=x\nNUL_VALUE="nul-secret\0"\n')]),
    ]);
    for (const r of [twice, badName, nul]) {
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toMatch(/Nothing was imported\.\n$/);
      expectNoValue(r.stderr);
    }
    expect(twice.stderr).toContain('line 3: FIRST is set again (first on line 1); keep one of them');
    expect(badName.stderr).toContain("line 2: invalid name 'my-key': must start with an uppercase letter");
    expect(nul.stderr).toContain("line 2: NUL_VALUE's value holds a NUL character");
    expect(await holdings(env.id)).toEqual([]);
  });

  it('dry-run prints the plan and what holds each clashing name; a clash writes nothing; --overwrite updates', async () => {
    const env = await environment();
    const global = (await h.svc.must(201, 'POST', '/api/v1/secrets/', { name: 'LINKED_KEY', value: 'g' })).data;
    await h.svc.must(201, 'POST', `/api/v1/environmentshub/${env.id}/secrets/link/${global.id}`, {});
    await h.svc.must(201, 'POST', `/api/v1/environmentshub/${env.id}/variables`, { name: 'LOG_LEVEL', value: 'info' });
    await h.svc.must(201, 'POST', `/api/v1/environmentshub/${env.id}/secrets`, { name: 'DB_PASSWORD', value: 'old' });
    const before = await holdings(env.id);

    const sameKindOnly = dotenvFile('NEW_TOKEN=hunter2\nDB_PASSWORD=hunter2\n');
    const dry = await h.run(['env', 'secret', 'import', env.slug, sameKindOnly, '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe(
      `Import plan for ${env.slug} (direct secrets): 1 create, 1 clash\n` +
        'Action  Name         Line  Note\n' +
        'create  NEW_TOKEN    1\n' +
        'clash   DB_PASSWORD  2     a direct secret holds it: --overwrite replaces its value\n',
    );
    expect(dry.stderr).toBe(
      `Error: Dry run: the import would write nothing: 1 name is taken in ${env.slug}: DB_PASSWORD (line 2: a ` +
        'direct secret holds it: --overwrite replaces its value).\n',
    );

    const dryOverwrite = await h.run(['env', 'secret', 'import', env.slug, sameKindOnly, '--dry-run', '--overwrite']);
    expect(dryOverwrite).toMatchObject({ code: 0, stderr: '' });
    expect(dryOverwrite.stdout).toContain("update  DB_PASSWORD  2     replaces the direct secret's value\n");
    expect(dryOverwrite.stdout).toMatch(/Dry run: nothing was written\.\n$/);

    const mixed = dotenvFile('NEW_TOKEN=hunter2\nLOG_LEVEL=debug\nLINKED_KEY=hunter2\nDB_PASSWORD=hunter2\n');
    const refused = await h.run(['env', 'secret', 'import', env.slug, mixed, '--overwrite']);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe(
      `Error: Nothing was imported: 2 names are taken in ${env.slug}: LOG_LEVEL (line 2: a variable holds it: ` +
        `rename or remove that variable first); LINKED_KEY (line 3: linked global secret LINKED_KEY (${global.id}) ` +
        `holds it: unlink it first (prime env secret unlink ${global.id} ${env.slug})).\n`,
    );
    const dryMixed = await h.run(['env', 'secret', 'import', env.slug, mixed, '--dry-run', '--overwrite']);
    expect(dryMixed.stdout).toMatch(/1 create, 1 update, 2 clashes\n/);
    expect(dryMixed.stdout).toMatch(/\nclash +LOG_LEVEL +2 +a variable holds it/);
    for (const r of [dry, dryOverwrite, refused, dryMixed]) expectNoValue(r.stdout + r.stderr);
    expect(await holdings(env.id)).toEqual(before);

    const withoutOverwrite = await h.run(['env', 'secret', 'import', env.slug, sameKindOnly]);
    expect(withoutOverwrite.code).toBe(1);
    expect(await holdings(env.id)).toEqual(before);

    const overwritten = await h.run(['env', 'secret', 'import', env.slug, sameKindOnly, '--overwrite']);
    expect(overwritten).toMatchObject({ code: 0, stderr: '' });
    expect(overwritten.stdout).toContain(': 1 created, 1 updated\n');
    const runtime = await h.svc.runtimeEnv(env.id);
    expect(runtime).toMatchObject({ NEW_TOKEN: 'hunter2', DB_PASSWORD: 'hunter2', LOG_LEVEL: 'info' });
  });
});

describe('prime env var import and prime secret import', () => {
  it('reads standard input for -, keeps a variable of the same value unchanged, and writes global secrets in scope', async () => {
    const env = await environment();
    await h.svc.must(201, 'POST', `/api/v1/environmentshub/${env.id}/variables`, { name: 'REGION', value: 'eu' });
    const vars = await h.run(['env', 'var', 'import', env.slug, '-'], { input: 'REGION=eu\nexport MODE="fast"\n' });
    expect(vars).toMatchObject({ code: 0, stderr: '' });
    expect(vars.stdout).toBe(
      `✓ Imported 2 variables into ${env.slug}: 1 created, 0 updated, 1 unchanged\n` +
        '  unchanged REGION\n  created   MODE\n',
    );
    const changed = await h.run(['env', 'var', 'import', env.slug, '-', '--overwrite'], { input: 'REGION=us\n' });
    expect(changed.stdout).toContain(': 0 created, 1 updated\n');
    expect(await holdings(env.id)).toMatchObject([
      { name: 'MODE', kind: 'variable', value: 'fast', version: 1 },
      { name: 'REGION', kind: 'variable', value: 'us', version: 2 },
    ]);

    const team = { PRIME_TEAM_ID: h.svc.seed.team.id };
    const global = await h.run(['secret', 'import', '-'], { input: 'TEAM_IMPORTED=hunter2\n', env: team });
    expect(global).toMatchObject({ code: 0, stderr: '' });
    expect(global.stdout).toContain(`into team ${h.svc.seed.team.slug}: 1 created, 0 updated`);
    const teamSecrets = (await h.svc.must(200, 'GET', `/api/v1/secrets/?teamId=${h.svc.seed.team.id}`)).data;
    expect(teamSecrets.map((s: { name: string }) => s.name)).toContain('TEAM_IMPORTED');
    const again = await h.run(['secret', 'import', '-'], { input: 'TEAM_IMPORTED=hunter2\n', env: team });
    expect(again.stderr).toMatch(/^Error: Nothing was imported: 1 name is taken in team .*--overwrite replaces/);
    expectNoValue(vars.stdout + changed.stdout + global.stdout + again.stderr);
  });

  it('imports a file of 120 entries, paced by the service when it rate-limits', async () => {
    const env = await environment();
    const content = Array.from({ length: 120 }, (_, i) => `BULK_${i}=value-${i}`).join('\n');
    let limited = 0;
    const proxy = await startProxy(async (req) => {
      // The service's own 429 once, on the 60th write: the CLI waits as Retry-After says and sends it again.
      if (req.method === 'POST' && ++limited === 60) {
        return {
          status: 429,
          headers: { 'retry-after': '1' },
          body: { detail: 'Too many requests', code: 'rate_limited' },
        };
      }
      return 'forward';
    });
    const r = await h.run(['env', 'var', 'import', env.slug, dotenvFile(content)], {
      env: { PRIME_BASE_URL: proxy.url },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Written 50 of 120…\nRate limited by the service: waiting 1s…\nWritten 100 of 120…\n');
    expect(r.stdout).toMatch(/: 120 created, 0 updated\n/);
    expect(await holdings(env.id)).toHaveLength(120);
  });
});

describe('a failure part-way', () => {
  it('says which names were written and which were not when the service refuses one mid-file', async () => {
    const env = await environment();
    let posts = 0;
    // Someone else creates SECOND between the plan (which saw it free) and its write: 409 name_taken.
    const proxy = await startProxy(async (req) => {
      if (req.method === 'POST' && ++posts === 2) {
        await h.svc.must(201, 'POST', `/api/v1/environmentshub/${env.id}/variables`, {
          name: 'SECOND',
          value: 'race-value',
        });
      }
      return 'forward';
    });
    const file = dotenvFile('FIRST=hunter2\nSECOND=hunter2\nTHIRD=hunter2\nFOURTH=hunter2\n');
    const r = await h.run(['env', 'secret', 'import', env.slug, file], { env: { PRIME_BASE_URL: proxy.url } });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Import into ${env.slug} stopped at SECOND \\(line 2\\): .*variable`));
    expect(lines.slice(1)).toEqual([
      'Written (1): FIRST',
      'Not written (3): SECOND, THIRD, FOURTH',
      'Error: Import stopped part-way: 1 of 4 written (listed above).',
      '',
    ]);
    expectNoValue(r.stderr);
    expect((await holdings(env.id)).map((e) => `${e.name}:${e.kind}`)).toEqual([
      'FIRST:environment',
      'SECOND:variable',
    ]);
  });

  it('reads the target again when an answer is lost, to say whether that write took effect', async () => {
    const env = await environment();
    let posts = 0;
    // The write reaches the service, then the connection drops before its answer.
    const proxy = await startProxy(async (req) =>
      req.method === 'POST' && ++posts === 2 ? 'forward-then-drop' : 'forward',
    );
    const file = dotenvFile('FIRST=hunter2\nSECOND=hunter2\nTHIRD=hunter2\n');
    const r = await h.run(['env', 'var', 'import', env.slug, file], { env: { PRIME_BASE_URL: proxy.url } });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^Import into .* stopped at SECOND \(line 2\): Cannot reach the API/);
    expect(lines.slice(1)).toEqual([
      '(SECOND was written, although its answer did not arrive.)',
      'Written (2): FIRST, SECOND',
      'Not written (1): THIRD',
      'Error: Import stopped part-way: 2 of 3 written (listed above).',
      '',
    ]);
    expect((await holdings(env.id)).map((e) => e.name)).toEqual(['FIRST', 'SECOND']);
  });
});
