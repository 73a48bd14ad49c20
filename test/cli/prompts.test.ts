import { describe, expect, it } from 'vitest';
import { ANSI, useCliHarness } from './harness.js';

const h = useCliHarness();

/** What the service resolves for the seeded personal environment. */
const runtimeEnv = () => h.svc.runtimeEnv(h.svc.seed.environments.personal.id);

async function createSecret(name: string): Promise<string> {
  const { call, seed } = h.svc;
  const res = await call('POST', '/api/v1/secrets/', { key: seed.user.apiKey, body: { name, value: 'first-value' } });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

async function secretExists(id: string): Promise<boolean> {
  const { call, seed } = h.svc;
  return (await call('GET', `/api/v1/secrets/${id}`, { key: seed.user.apiKey })).status === 200;
}

async function linkToPersonal(secretId: string): Promise<void> {
  const { call, seed } = h.svc;
  const res = await call('POST', `/api/v1/environmentshub/${seed.environments.personal.id}/secrets/link/${secretId}`, {
    key: seed.user.apiKey,
    body: {},
  });
  expect(res.status).toBe(201);
}

describe('prompts on a terminal', () => {
  it('asks for a missing name (echoed) and value (not echoed), in colour', async () => {
    const [secret, variable] = await Promise.all([
      h.runInPty(
        ['secret', 'create', '-o', 'json'],
        [
          { expect: 'Secret name: ', send: 'ASKED_SECRET\r' },
          { expect: 'Secret value: ', send: 'typed-secret-value\r' },
        ],
      ),
      h.runInPty(
        ['env', 'var', 'create', 'dev/my-environment'],
        [
          { expect: 'Variable name: ', send: 'ASKED_VAR\r' },
          { expect: 'Variable value: ', send: 'typed-var-value\r' },
        ],
      ),
    ]);
    expect(secret.code).toBe(0);
    expect(secret.transcript).toContain('Secret name: ASKED_SECRET\n');
    expect(secret.transcript).not.toContain('typed-secret-value');
    const created = JSON.parse(secret.transcript.slice(secret.transcript.indexOf('{')));
    expect(created.name).toBe('ASKED_SECRET');

    expect(variable.code).toBe(0);
    expect(variable.transcript).not.toContain('typed-var-value');
    expect(variable.transcript).toMatch(/\u001b\[32m✓ Created variable 'ASKED_VAR' for dev\/my-environment\u001b\[39m/);

    await linkToPersonal(created.id);
    expect(await runtimeEnv()).toMatchObject({ ASKED_SECRET: 'typed-secret-value', ASKED_VAR: 'typed-var-value' });
  });

  it('colours tables on a terminal unless --plain', async () => {
    await createSecret('COLOURED');
    const [coloured, plain] = await Promise.all([
      h.runInPty(['secret', 'list'], []),
      h.runInPty(['--plain', 'secret', 'list'], []),
    ]);
    expect(coloured.transcript).toMatch(ANSI);
    expect(coloured.transcript).toContain('\u001b[36mCOLOURED');
    expect(plain.transcript).not.toMatch(ANSI);
    expect(plain.transcript).toMatch(/^Personal Secrets\nID +Name +Description +Created\n/);
  });

  it('chooses a secret from a list and asks for its new value without echo', async () => {
    const id = await createSecret('TO_PICK');
    await linkToPersonal(id);
    const listed = await h.svc.call('GET', '/api/v1/secrets/', { key: h.svc.seed.user.apiKey });
    const position = (listed.body.data as { id: string }[]).findIndex((s) => s.id === id) + 1;

    const r = await h.runInPty(
      ['secret', 'update'],
      [
        { expect: /Secret to update \[1-\d+\]: /, send: `${position}\r` },
        { expect: 'New value: ', send: 'picked-new-value\r' },
      ],
    );
    expect(r.code).toBe(0);
    expect(r.transcript).toContain(`${position}. TO_PICK (${id})`);
    expect(r.transcript).toContain("✓ Updated secret 'TO_PICK'");
    expect(r.transcript).not.toContain('picked-new-value');
    expect((await runtimeEnv()).TO_PICK).toBe('picked-new-value');
  });

  it('confirms a delete: no keeps it, yes deletes it; Ctrl-C cancels a prompt', async () => {
    const id = await createSecret('TO_CONFIRM');
    const kept = await h.runInPty(
      ['secret', 'delete', id],
      [{ expect: "Delete secret 'TO_CONFIRM'? [y/N]: ", send: 'n\r' }],
    );
    expect(kept.code).toBe(0);
    expect(kept.transcript).toContain('Cancelled.');
    expect(await secretExists(id)).toBe(true);

    const [deleted, interrupted] = await Promise.all([
      h.runInPty(['secret', 'delete', id], [{ expect: '[y/N]: ', send: 'y\r' }]),
      h.runInPty(['secret', 'create', '-n', 'NEVER_MADE'], [{ expect: 'Secret value: ', send: '\u0003' }]),
    ]);
    expect(deleted.transcript).toContain("✓ Deleted secret 'TO_CONFIRM'");
    expect(await secretExists(id)).toBe(false);
    expect(interrupted.code).toBe(130);
    expect(interrupted.transcript).toContain('Error: Cancelled.');
  });
});
