import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { utcTime } from '../../cli/output.js';
import { lines, tempDir, useCliHarness, type RunOptions } from './harness.js';

/**
 * Job start from the CLI: requirements (one by one and from `.prime/requirements.json`), the
 * pre-flight `prime env check`, secrets' expiry, and env run / pull refused for a missing name.
 */
const h = useCliHarness();

const json = (stdout: string) => JSON.parse(stdout);
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
/** A row whose last cell is its Created time: nothing in the Expires column. */
const CREATED_LAST = / (just now|\d+ minutes? ago)$/;

async function api(method: string, path: string, body?: unknown) {
  const res = await h.svc.call(method, `/api/v1${path}`, { key: h.svc.seed.user.apiKey, body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

/** A new personal environment of the seeded user (`dev/NAME`). */
async function newEnvironment(name: string): Promise<{ id: string; slug: string }> {
  const created = await api('POST', '/environmentshub', { name });
  return { id: created.data.id, slug: `dev/${name}` };
}

const requirementsOf = async (envId: string) =>
  (await api('GET', `/environmentshub/${envId}/requirements`)).data.map(
    (r: { name: string; description: string | null; optional: boolean }) => [r.name, r.description, r.optional],
  );

/** A folder whose `.prime/` names `dev/NAME` and declares `requirements`. */
function projectFor(name: string, requirements: unknown): string {
  const project = tempDir('prime-cli-job-');
  mkdirSync(join(project, '.prime'));
  writeFileSync(join(project, '.prime', '.env-metadata.json'), JSON.stringify({ owner: 'dev', name }));
  writeFileSync(join(project, '.prime', 'requirements.json'), JSON.stringify(requirements));
  return project;
}

/**
 * Moves a global secret's expiry into the past, as time would: the API only takes a future one.
 */
async function expireGlobalSecret(id: string): Promise<string> {
  const past = new Date(Date.now() - DAY).toISOString();
  await h.svc.deps.db.doc.send(
    new UpdateCommand({
      TableName: h.svc.deps.db.tableName,
      Key: { pk: `OWNER#U#${h.svc.seed.user.id}`, sk: `SECRET#${id}` },
      UpdateExpression: 'SET expiresAt = :past',
      ExpressionAttributeValues: { ':past': past },
    }),
  );
  return past;
}

describe('prime env secret require, requirements, unrequire', () => {
  it('declares, lists in both formats and removes requirements; names are checked first', async () => {
    const env = await newEnvironment('job-require');
    const empty = await h.run(['env', 'secret', 'requirements', env.slug]);
    expect(empty).toMatchObject({ code: 0, stdout: `No requirements found for ${env.slug}.\n` });
    const [judge, wandb, badName] = await Promise.all([
      h.run(['env', 'secret', 'require', 'JUDGE_KEY', env.slug, '-d', 'the judge model']),
      h.run(['env', 'secret', 'require', 'WANDB_KEY', env.slug, '--optional', '-o', 'json']),
      h.run(['env', 'secret', 'require', 'judge-key', env.slug]),
    ]);
    expect(judge).toMatchObject({ code: 0, stdout: `✓ Required 'JUDGE_KEY' for ${env.slug}\n`, stderr: '' });
    expect(json(wandb.stdout)).toEqual({
      name: 'WANDB_KEY',
      description: null,
      optional: true,
      createdAt: expect.any(String),
    });
    expect(badName).toMatchObject({ code: 2, stdout: '' });
    expect(badName.stderr).toMatch(/^Error: Invalid name 'judge-key': must start with an uppercase letter/);

    const [table, listed] = await Promise.all([
      h.run(['env', 'secret', 'requirements', env.slug]),
      h.run(['env', 'secret', 'requirements', env.slug, '-o', 'json']),
    ]);
    expect(lines(table.stdout)).toEqual([
      `Requirements for ${env.slug}`,
      expect.stringMatching(/^Name +Optional +Description$/),
      expect.stringMatching(/^JUDGE_KEY +no +the judge model$/),
      expect.stringMatching(/^WANDB_KEY +yes$/),
    ]);
    expect(json(listed.stdout)).toEqual({
      requirements: (await api('GET', `/environmentshub/${env.id}/requirements`)).data,
    });

    // Declared again, it is replaced: without -d the description goes.
    const again = await h.run(['env', 'secret', 'require', 'JUDGE_KEY', env.slug, '--optional']);
    expect(again.stdout).toBe(`✓ Required 'JUDGE_KEY' for ${env.slug} (optional)\n`);
    const [removed, absent] = await Promise.all([
      h.run(['env', 'secret', 'unrequire', 'WANDB_KEY', env.slug]),
      h.run(['env', 'secret', 'unrequire', 'NEVER_REQUIRED', env.slug]),
    ]);
    expect(removed).toMatchObject({ code: 0, stdout: `✓ No longer requiring 'WANDB_KEY' for ${env.slug}\n` });
    expect(absent).toMatchObject({ code: 3, stdout: '', stderr: 'Error: Requirement not found.\n' });
    expect(await requirementsOf(env.id)).toEqual([['JUDGE_KEY', null, true]]);
  });
});

describe('prime env secret sync-requirements', () => {
  it('adds and changes what .prime/requirements.json declares; --prune removes the rest', async () => {
    const env = await newEnvironment('job-sync');
    await api('PUT', `/environmentshub/${env.id}/requirements/KEPT`, { description: 'same' });
    await api('PUT', `/environmentshub/${env.id}/requirements/FLIPPED`, {});
    await api('PUT', `/environmentshub/${env.id}/requirements/UNDECLARED`, {});
    const project = projectFor('job-sync', {
      requirements: [
        { name: 'KEPT', description: 'same' },
        { name: 'FLIPPED', optional: true },
        { name: 'ADDED', description: 'new one' },
      ],
    });

    const synced = await h.run(['env', 'secret', 'sync-requirements'], { cwd: project });
    expect(synced).toMatchObject({ code: 0, stderr: 'Using environment: dev/job-sync\n' });
    expect(lines(synced.stdout)).toEqual([
      `✓ Synced the requirements of ${env.slug} with .prime/requirements.json`,
      expect.stringMatching(/^ {2}Added: +ADDED$/),
      expect.stringMatching(/^ {2}Changed: +FLIPPED$/),
      expect.stringMatching(/^ {2}Unchanged: +KEPT$/),
      expect.stringMatching(/^ {2}Not in the file: +UNDECLARED \(kept; --prune removes them\)$/),
    ]);
    expect(await requirementsOf(env.id)).toEqual([
      ['ADDED', 'new one', false],
      ['FLIPPED', null, true],
      ['KEPT', 'same', false],
      ['UNDECLARED', null, false],
    ]);

    const pruned = await h.run(['env', 'secret', 'sync-requirements', '--prune', '-o', 'json'], { cwd: project });
    expect(pruned.code).toBe(0);
    expect(json(pruned.stdout)).toEqual({
      added: [],
      changed: [],
      removed: ['UNDECLARED'],
      unchanged: ['KEPT', 'FLIPPED', 'ADDED'],
      notInFile: [],
    });
    expect((await requirementsOf(env.id)).map(([name]: [string]) => name)).toEqual(['ADDED', 'FLIPPED', 'KEPT']);

    // --file and ENVIRONMENT given: the table names what --prune removed.
    const other = join(tempDir('prime-cli-job-'), 'needs.json');
    writeFileSync(other, JSON.stringify({ requirements: [{ name: 'ADDED', description: 'new one' }] }));
    const byFlags = await h.run(['env', 'secret', 'sync-requirements', env.slug, '--file', other, '--prune']);
    expect(byFlags).toMatchObject({ code: 0, stderr: '' });
    expect(lines(byFlags.stdout).slice(1)).toEqual([
      expect.stringMatching(/^ {2}Added: +-$/),
      expect.stringMatching(/^ {2}Changed: +-$/),
      expect.stringMatching(/^ {2}Unchanged: +ADDED$/),
      expect.stringMatching(/^ {2}Removed: +FLIPPED, KEPT$/),
    ]);
  });

  it('refuses a file with an invalid name, an unknown field or a name twice, before anything is sent', async () => {
    const env = await newEnvironment('job-sync-refused');
    await api('PUT', `/environmentshub/${env.id}/requirements/ALREADY`, {});
    const file = (requirements: unknown) => {
      const path = join(tempDir('prime-cli-job-'), 'requirements.json');
      writeFileSync(path, typeof requirements === 'string' ? requirements : JSON.stringify(requirements));
      return path;
    };
    const sync = (path: string) => h.run(['env', 'secret', 'sync-requirements', env.slug, '--file', path, '--prune']);
    const invalid = file({ requirements: [{ name: 'GOOD' }, { name: 'bad-name' }, { name: 'TYPO', optinal: true }] });
    const twice = file({ requirements: [{ name: 'TWICE' }, { name: 'TWICE', optional: true }] });
    const [badFile, twiceFile, notJson, missing] = await Promise.all([
      sync(invalid),
      sync(twice),
      sync(file('{"requirements": [')),
      sync(join(tempDir('prime-cli-job-'), 'none.json')),
    ]);
    expect(badFile).toMatchObject({ code: 1, stdout: '' });
    expect(badFile.stderr).toBe(
      `Error: Invalid ${invalid}: requirements[1].name: must start with an uppercase letter and contain only ` +
        'uppercase letters, digits and underscores; requirements[2]: Unrecognized key: "optinal".\n',
    );
    expect(twiceFile.stderr).toBe(`Error: Invalid ${twice}: TWICE declared twice.\n`);
    expect(notJson.stderr).toMatch(/^Error: \S+ is not valid JSON\.\n$/);
    expect(missing.stderr).toMatch(/^Error: Cannot read \S+none\.json: ENOENT\.\n$/);
    expect(await requirementsOf(env.id)).toEqual([['ALREADY', null, false]]);
  });
});

describe('prime env check', () => {
  it('exits 1 while a required name is missing or expired, in both formats, and 0 when ready', async () => {
    const env = await newEnvironment('job-check');
    const soon = inDays(3);
    await api('PUT', `/environmentshub/${env.id}/requirements/NEEDED`, {});
    await api('PUT', `/environmentshub/${env.id}/requirements/NICE`, { optional: true });
    await api('PUT', `/environmentshub/${env.id}/requirements/LINKED_KEY`, {});
    await api('POST', `/environmentshub/${env.id}/secrets`, { name: 'SOON', value: 's', expiresAt: soon });
    await api('POST', `/environmentshub/${env.id}/variables`, { name: 'LEVEL', value: 'debug' });
    const linked = (await api('POST', '/secrets/', { name: 'LINKED_KEY', value: 'k' })).data;
    await api('POST', `/environmentshub/${env.id}/secrets/link/${linked.id}`, {});

    const [table, asJson] = await Promise.all([
      h.run(['env', 'check', env.slug]),
      h.run(['env', 'check', env.slug, '-o', 'json']),
    ]);
    expect(table).toMatchObject({ code: 1, stderr: '' });
    expect(lines(table.stdout)).toEqual([
      `✗ ${env.slug} is not ready for a job`,
      expect.stringMatching(/^ {2}Missing: +NEEDED$/),
      expect.stringMatching(/^ {2}Optional missing: +NICE$/),
      expect.stringMatching(/^ {2}Expired: +-$/),
      expect.stringMatching(new RegExp(`^ {2}Expiring soon: +SOON \\(${utcTime(soon)}\\)$`)),
      `Names in ${env.slug}`,
      expect.stringMatching(/^Name +Source$/),
      expect.stringMatching(/^LEVEL +Variable$/),
      expect.stringMatching(/^LINKED_KEY +Linked global secret$/),
      expect.stringMatching(/^SOON +Direct secret$/),
    ]);
    expect(asJson).toMatchObject({ code: 1, stderr: '' });
    expect(json(asJson.stdout)).toEqual((await api('GET', `/environmentshub/${env.id}/runtime/check`)).data);

    await api('POST', `/environmentshub/${env.id}/variables`, { name: 'NEEDED', value: 'here' });
    const ready = await h.run(['env', 'check', env.slug]);
    expect(ready).toMatchObject({ code: 0, stderr: '' });
    expect(lines(ready.stdout).slice(0, 2)).toEqual([
      `✓ ${env.slug} is ready for a job`,
      expect.stringMatching(/^ {2}Missing: +-$/),
    ]);

    await expireGlobalSecret(linked.id);
    const expired = await h.run(['env', 'check', env.slug, '-o', 'json']);
    expect(expired.code).toBe(1);
    expect(json(expired.stdout)).toMatchObject({ ready: false, missing: [], expired: ['LINKED_KEY'] });
  });
});

describe('expiry of secrets', () => {
  // The team's scope: the list there holds only this test's global secrets.
  const inTeam = (): RunOptions => ({ env: { PRIME_TEAM_ID: h.svc.seed.team.id } });

  it('--expires-at sets and none clears it; secret list marks what expires within 7 days', async () => {
    const soon = inDays(2);
    const later = inDays(30);
    const [soonOut, laterOut, plainOut, badTime] = await Promise.all([
      h.run(['secret', 'create', '-n', 'EXPIRES_SOON', '-v', 'a', '--expires-at', soon, '-o', 'json'], inTeam()),
      h.run(['secret', 'create', '-n', 'EXPIRES_LATER', '-v', 'b', '--expires-at', later, '-o', 'json'], inTeam()),
      h.run(['secret', 'create', '-n', 'NEVER_EXPIRES', '-v', 'c', '-o', 'json'], inTeam()),
      h.run(['secret', 'create', '-n', 'IN_THE_PAST', '-v', 'never-shown', '--expires-at', inDays(-1)], inTeam()),
    ]);
    const soonSecret = json(soonOut.stdout);
    expect(soonSecret.expiresAt).toBe(soon);
    expect(json(laterOut.stdout).expiresAt).toBe(later);
    expect(json(plainOut.stdout).expiresAt).toBeNull();
    expect(badTime).toMatchObject({ code: 2, stdout: '' });
    expect(badTime.stderr).toMatch(/^Error: Invalid --expires-at '\S+': must be in the future\.\n$/);

    const [table, listed, shown] = await Promise.all([
      h.run(['secret', 'list'], inTeam()),
      h.run(['secret', 'list', '-o', 'json'], inTeam()),
      h.run(['secret', 'get', soonSecret.id], inTeam()),
    ]);
    const rows = lines(table.stdout);
    expect(rows[1]).toMatch(/^ID +Name +Description +Created +Expires$/);
    expect(rows.find((r) => r.includes('EXPIRES_SOON'))).toMatch(new RegExp(` ${utcTime(soon)}$`));
    expect(rows.find((r) => r.includes('EXPIRES_LATER'))).toMatch(CREATED_LAST);
    expect(rows.find((r) => r.includes('NEVER_EXPIRES'))).toMatch(CREATED_LAST);
    for (const s of json(listed.stdout).secrets) {
      expect(Object.keys(s).sort()).toEqual(['createdAt', 'description', 'expiresAt', 'id', 'name', 'updatedAt']);
    }
    expect(shown.stdout).toMatch(new RegExp(`\\n {2}Expires: +${utcTime(soon)}\\n`));

    const cleared = await h.run(['secret', 'update', soonSecret.id, '--expires-at', 'none', '-o', 'json'], inTeam());
    expect(json(cleared.stdout)).toMatchObject({ expiresAt: null, version: 1 });
    const [without, shownWithout] = await Promise.all([
      h.run(['secret', 'list'], inTeam()),
      h.run(['secret', 'get', soonSecret.id], inTeam()),
    ]);
    // Nothing expiring soon: the table is the one it always was.
    expect(lines(without.stdout)[1]).toMatch(/^ID +Name +Description +Created$/);
    expect(shownWithout.stdout).not.toContain('Expires');
  });

  it('marks an expired global secret, and sets and clears the expiry of a direct secret', async () => {
    const expiring = (await api('POST', '/secrets/', { name: 'ALREADY_EXPIRED', value: 'x' })).data;
    const past = await expireGlobalSecret(expiring.id);
    const listed = await h.run(['secret', 'list']);
    expect(lines(listed.stdout).find((r) => r.includes('ALREADY_EXPIRED'))).toMatch(
      new RegExp(` expired ${utcTime(past)}$`),
    );

    const env = await newEnvironment('job-expiry');
    const soon = inDays(1);
    const created = await h.run(['env', 'secret', 'create', env.slug, '-n', 'DIRECT', '-v', 'd', '--expires-at', soon]);
    expect(created.stdout).toMatch(/^✓ Created secret 'DIRECT' for dev\/job-expiry\nID: \S+\n$/);
    const direct = (await api('GET', `/environmentshub/${env.id}/secrets`)).data[0];
    expect(direct.expiresAt).toBe(soon);
    const table = await h.run(['env', 'secret', 'list', env.slug]);
    expect(lines(table.stdout)[1]).toMatch(/^ID +Name +Source +Description +Created +Expires$/);
    expect(lines(table.stdout)[2]).toMatch(new RegExp(`DIRECT +Direct secret +\\S.* ${utcTime(soon)}$`));

    // An expiry alone is a change: nothing is asked for, and the value keeps its version.
    const later = inDays(3);
    const update = (...args: string[]) => h.run(['env', 'secret', 'update', env.slug, '--id', direct.id, ...args]);
    const onlyExpiry = await update('--expires-at', later, '-o', 'json');
    expect(json(onlyExpiry.stdout)).toMatchObject({ name: 'DIRECT', version: 1, expiresAt: later });
    const none = await update('--expires-at', 'none');
    expect(none.stdout).toBe(`✓ Updated secret 'DIRECT' for ${env.slug}\n`);
    const listedAfter = await h.run(['env', 'secret', 'list', env.slug, '-o', 'json']);
    expect(json(listedAfter.stdout).secrets).toEqual([expect.objectContaining({ name: 'DIRECT', expiresAt: null })]);
    expect(lines((await h.run(['env', 'secret', 'list', env.slug])).stdout)[1]).toMatch(
      /^ID +Name +Source +Description +Created$/,
    );
  });
});

describe('prime env run and env secret pull with a required name missing', () => {
  it('are refused with the service’s detail, and read anyway with --allow-missing', async () => {
    const env = await newEnvironment('job-missing');
    await api('PUT', `/environmentshub/${env.id}/requirements/NOT_THERE`, {});
    await api('POST', `/environmentshub/${env.id}/variables`, { name: 'PRESENT', value: 'yes' });
    const runtime: RunOptions = { key: h.svc.seed.user.runtimeKey };
    const print = [process.execPath, '-e', 'console.log(process.env.PRESENT)'];
    const [run, pull, runAnyway, pullAnyway] = await Promise.all([
      h.run(['env', 'run', env.slug, '--', ...print], runtime),
      h.run(['env', 'secret', 'pull', env.slug, '--format', 'json'], runtime),
      h.run(['env', 'run', env.slug, '--allow-missing', '--', ...print], runtime),
      h.run(['env', 'secret', 'pull', env.slug, '--format', 'json', '--allow-missing'], runtime),
    ]);
    const detail = (
      await h.svc.call('GET', `/api/v1/environmentshub/${env.id}/runtime`, { key: h.svc.seed.serviceKey })
    ).body.detail;
    expect(detail).toBe("Missing required secrets: NOT_THERE. Add them on the environment's Secrets tab.");
    for (const refused of [run, pull]) {
      expect(refused).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `Error: ${detail} Or pass --allow-missing to go on without them.\n`,
      });
    }
    expect(runAnyway).toMatchObject({ code: 0, stdout: 'yes\n', stderr: '' });
    expect(json(pullAnyway.stdout)).toEqual({ PRESENT: 'yes' });
  });
});
