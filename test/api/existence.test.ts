import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * What a caller may not read is one answer whether it exists or not: the same status and body,
 * and the same table reads (counted at the SDK), so neither the answer nor its time tells.
 */
const V1 = '/api/v1';
let svc: TestService;
let outsider: string;
const commands: string[] = [];

beforeAll(async () => {
  svc = await startTestService();
  outsider = (await svc.newUser('outsider')).key;
  svc.deps.db.raw.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
});

async function observed(path: string, key: string) {
  // A first call fills the key cache, so only the route's own reads are counted.
  await svc.call('GET', `${V1}/health`, { key });
  await svc.call('GET', path, { key });
  commands.length = 0;
  const res = await svc.call('GET', path, { key });
  return { status: res.status, body: res.body, reads: [...commands] };
}

describe('existence is not told', () => {
  it("by slug: an existing environment of someone else's team and a missing one read the same", async () => {
    const team = svc.seed.team.slug;
    for (const key of [outsider, svc.seed.serviceKey, svc.seed.adminKey]) {
      const existing = await observed(`${V1}/environmentshub/${team}/${svc.seed.environments.team.name}/@latest`, key);
      const missing = await observed(`${V1}/environmentshub/${team}/no-such-environment/@latest`, key);
      expect(existing.status).toBe(404);
      expect(missing).toEqual(existing);
    }
  });

  it('by id: a service or admin key gets the same 404 for an environment that exists and one that does not', async () => {
    for (const key of [svc.seed.serviceKey, svc.seed.adminKey]) {
      const existing = await observed(`${V1}/environmentshub/${svc.seed.environments.team.id}/variables`, key);
      const missing = await observed(`${V1}/environmentshub/${newId()}/variables`, key);
      expect(existing.status).toBe(404);
      expect(missing).toEqual(existing);
    }
  });

  it("by id: someone else's personal or team environment and a missing one read the same", async () => {
    const missing = await observed(`${V1}/environmentshub/${newId()}/variables`, outsider);
    for (const env of [svc.seed.environments.personal, svc.seed.environments.team]) {
      const existing = await observed(`${V1}/environmentshub/${env.id}/variables`, outsider);
      expect(existing.status).toBe(404);
      expect(missing).toEqual(existing);
    }
  });
});
