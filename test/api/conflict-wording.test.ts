import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

/**
 * The 409 of a name an environment already uses (shared/conflicts.ts), for every action that
 * can meet it (create, rename, restore of a direct secret or variable, link) against every kind
 * of holder (direct secret, variable, linked global secret): the detail says what holds the name,
 * names a linked secret by its name (its id only after it, in parentheses), and gives a remedy
 * that fits what the caller was doing.
 */

type Holder = 'direct' | 'variable' | 'link';
type Kind = 'secrets' | 'variables';
type Action = { action: 'create' | 'rename' | 'restore'; kind: Kind } | { action: 'link' };

let svc: TestService;
let count = 0;

const V1 = '/api/v1';

async function must(status: number, method: string, path: string, body?: object) {
  const res = await svc.call(method, `${V1}${path}`, { key: svc.seed.user.apiKey, ...(body ? { body } : {}) });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

beforeAll(async () => {
  svc = await startTestService();
});

/** A fresh environment, and a name no global secret of the user has had. */
async function fresh(): Promise<{ env: string; name: string }> {
  count += 1;
  const env = (await must(201, 'POST', '/environmentshub', { name: `conflicts-${count}` })).data.id;
  return { env, name: `TAKEN_${count}` };
}

/** Puts `holder` under `name` in `env`; a link's global secret id, to check the wording with. */
async function hold(holder: Holder, env: string, name: string): Promise<string | undefined> {
  if (holder === 'direct') await must(201, 'POST', `/environmentshub/${env}/secrets`, { name, value: 'held' });
  if (holder === 'variable') await must(201, 'POST', `/environmentshub/${env}/variables`, { name, value: 'held' });
  if (holder !== 'link') return undefined;
  const secret = (await must(201, 'POST', '/secrets/', { name, value: 'held' })).data;
  await must(201, 'POST', `/environmentshub/${env}/secrets/link/${secret.id}`, {});
  return secret.id as string;
}

/**
 * Does `use` onto a name `holder` holds; the refusal. A restore's entry is deleted before the
 * name is taken; a link links a global secret of that name (for a link holder, the same one,
 * which is the only way a link can hold a global secret's name).
 */
async function clash(use: Action, holder: Holder) {
  const { env, name } = await fresh();
  const restoring =
    use.action === 'restore'
      ? (await must(201, 'POST', `/environmentshub/${env}/${use.kind}`, { name, value: 'old' })).data.id
      : undefined;
  if (use.action === 'restore') await must(200, 'DELETE', `/environmentshub/${env}/${use.kind}/${restoring}`);
  const renaming =
    use.action === 'rename'
      ? (await must(201, 'POST', `/environmentshub/${env}/${use.kind}`, { name: `${name}_OLD`, value: 'v' })).data.id
      : undefined;
  const linkId = await hold(holder, env, name);
  const secretId =
    use.action === 'link' && holder !== 'link'
      ? (await must(201, 'POST', '/secrets/', { name, value: 'to-link' })).data.id
      : linkId;
  const key = svc.seed.user.apiKey;
  const res =
    use.action === 'create'
      ? await svc.call('POST', `${V1}/environmentshub/${env}/${use.kind}`, { key, body: { name, value: 'new' } })
      : use.action === 'rename'
        ? await svc.call('PATCH', `${V1}/environmentshub/${env}/${use.kind}/${renaming}`, { key, body: { name } })
        : use.action === 'restore'
          ? await svc.call('POST', `${V1}/environmentshub/${env}/${use.kind}/${restoring}/restore`, { key, body: {} })
          : await svc.call('POST', `${V1}/environmentshub/${env}/secrets/link/${secretId}`, { key, body: {} });
  return { res, name, linkId };
}

const HELD_BY: Record<Holder, (name: string, id?: string) => string> = {
  direct: () => 'a direct secret',
  variable: () => 'an environment variable',
  link: (name, id) => `linked global secret ${name} (${id})`,
};
const FREE: Record<Holder, (name: string, id?: string) => string> = {
  direct: () => 'rename or remove the existing direct secret',
  variable: () => 'rename or remove that environment variable',
  link: (name, id) => `unlink global secret ${name} (${id})`,
};
const WHAT: Record<Kind, string> = { secrets: 'direct secret', variables: 'variable' };
const SAME: Record<Kind, Holder> = { secrets: 'direct', variables: 'variable' };

/** The remedy each action gets against each holder. */
function remedy(use: Action, holder: Holder, name: string, id?: string): string {
  const free = FREE[holder](name, id);
  switch (use.action) {
    case 'create':
      return holder === SAME[use.kind]
        ? `Update that ${WHAT[use.kind]} instead, or choose another name.`
        : `Choose another name, or ${free} first, then add the ${WHAT[use.kind]}.`;
    case 'rename':
      return `Choose another name, or ${free} first.`;
    case 'restore':
      return `Restore it under another name (pass "name"), or ${free} first.`;
    case 'link':
      return {
        direct: 'Rename or remove the existing direct secret first, then link the global secret.',
        variable: 'Rename or remove that environment variable before adding or linking the secret.',
        link: '',
      }[holder];
  }
}

const ACTIONS: Action[] = [
  { action: 'create', kind: 'variables' },
  { action: 'create', kind: 'secrets' },
  { action: 'rename', kind: 'variables' },
  { action: 'rename', kind: 'secrets' },
  { action: 'restore', kind: 'variables' },
  { action: 'restore', kind: 'secrets' },
];
const HOLDERS: Holder[] = ['direct', 'variable', 'link'];
const label = (use: Action) => (use.action === 'link' ? 'link' : `${use.action} ${WHAT[use.kind]}`);

describe('a name already used in an environment: 409 name_taken, worded for the action', () => {
  const cases = [...ACTIONS, { action: 'link' } as const].flatMap((use) =>
    HOLDERS.filter((holder) => use.action !== 'link' || holder !== 'link').map((holder) => ({ use, holder })),
  );

  it.each(cases.map((c) => [label(c.use), c.holder, c] as const))('%s, held by %s', async (_l, _h, { use, holder }) => {
    const { res, name, linkId } = await clash(use, holder);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('name_taken');
    expect(res.body.detail).toBe(
      `The name ${name} is already used in this environment by ${HELD_BY[holder](name, linkId)}. ${remedy(use, holder, name, linkId)}`,
    );
    // A linked secret is named by its name; its id only follows it.
    if (linkId) expect(res.body.detail.replaceAll(`${name} (${linkId})`, '')).not.toContain(linkId);
  });

  it('link, held by a link of the same secret: 409 already_linked, naming the secret', async () => {
    const { res, name, linkId } = await clash({ action: 'link' }, 'link');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'already_linked',
      detail: `Global secret ${name} (${linkId}) is already linked to this environment.`,
    });
  });

  it('a linked secret changed as a direct one: 409 is_linked, naming it and the commands to use', async () => {
    const { env, name } = await fresh();
    const id = await hold('link', env, name);
    const res = await svc.call('DELETE', `${V1}/environmentshub/${env}/secrets/${id}`, { key: svc.seed.user.apiKey });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      code: 'is_linked',
      detail: `This is linked global secret ${name} (${id}), not a direct secret. Unlink it from the environment instead (prime env secret unlink ${name}), or change it as a global secret (prime secret update ${name}).`,
    });
  });
});
