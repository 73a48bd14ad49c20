import { describe, expect, it } from 'vitest';
import { lines, useCliHarness } from './harness.js';

/** `prime audit`: the log a user (or a team's admin) reads after a leak, newest first, never a value. */
const h = useCliHarness();
const VALUE = 'audit-cli-value-77';

async function api(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await h.svc.call(method, `/api/v1${path}`, { key: h.svc.seed.user.apiKey, ...options });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

describe('prime audit', () => {
  it("shows an environment's events newest first, with the job and the versions each read served", async () => {
    const env = (await api('POST', '/environmentshub', { body: { name: 'audited' } })).data;
    const other = (await api('POST', '/environmentshub', { body: { name: 'elsewhere' } })).data;
    await api('POST', `/environmentshub/${env.id}/secrets`, { body: { name: 'AUDITED', value: VALUE } });
    await api('POST', `/environmentshub/${other.id}/variables`, { body: { name: 'ELSEWHERE', value: 'x' } });
    for (const job of ['job-a', 'job-b']) {
      const res = await h.svc.call('GET', `/api/v1/environmentshub/${env.id}/runtime`, {
        key: h.svc.seed.serviceKey,
        headers: { 'x-job-id': job },
      });
      expect(res.status).toBe(200);
    }

    const [json, table, two] = await Promise.all([
      h.run(['audit', '--env', 'dev/audited', '-o', 'json']),
      h.run(['audit', '--env', 'dev/audited']),
      h.run(['audit', '--env', 'dev/audited', '-n', '2', '-o', 'json']),
    ]);
    expect(json.code).toBe(0);
    const events = JSON.parse(json.stdout).events as {
      action: string;
      jobId: string | null;
      environmentId: string;
      versions?: Record<string, number>;
    }[];
    expect(events.map((e) => [e.action, e.jobId])).toEqual([
      ['runtime_read', 'job-b'],
      ['runtime_read', 'job-a'],
      ['create', null],
      ['create', null],
    ]);
    expect(events.every((e) => e.environmentId === env.id)).toBe(true);
    expect(events[0]!.versions).toEqual({ AUDITED: 1 });
    expect(JSON.parse(two.stdout).events).toEqual(events.slice(0, 2));

    expect(table.code).toBe(0);
    const rows = lines(table.stdout);
    expect(rows[0]).toBe('Audit log of dev/audited');
    expect(rows[1]).toMatch(/^At +Action +Target +Actor +Job$/);
    expect(rows[2]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d UTC +runtime_read +environment audited +service environment-actions \(key [a-z2-7]{24}\) +job-b$/,
    );
    for (const out of [json.stdout, table.stdout, table.stderr]) expect(out).not.toContain(VALUE);
  });

  it('shows your own log without --env, and refuses a limit that is not a count', async () => {
    const all = await h.run(['audit', '-n', '500', '-o', 'json']);
    expect(all.code).toBe(0);
    const actions = (JSON.parse(all.stdout).events as { target: { name: string | null } }[]).map((e) => e.target.name);
    expect(actions).toEqual(expect.arrayContaining(['audited', 'elsewhere', 'ELSEWHERE']));

    const bad = await h.run(['audit', '-n', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Invalid limit '0': use a whole number from 1.");
  });
});
