import { beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Service keys read every environment's values, so the platform admin can list and revoke them,
 * every admin action lands in a platform audit log the admin key reads, and every runtime read
 * names the key that made it: a rogue key of a real service is told apart.
 */
const V1 = '/api/v1';
let svc: TestService;
let admin: string;

const runtimeRead = (key: string, job: string) =>
  svc.call('GET', `${V1}/environmentshub/${svc.seed.environments.personal.id}/runtime`, {
    key,
    headers: { 'x-job-id': job },
  });

beforeAll(async () => {
  svc = await startTestService();
  admin = svc.seed.adminKey;
});

describe('service keys', () => {
  it('are listed without their keys, attributed by key id, and revoked at once', async () => {
    const made = await svc.call('POST', `${V1}/admin/service-keys`, {
      key: admin,
      body: { service: 'hosted-evaluations', name: 'rogue?' },
    });
    expect(made.status).toBe(201);
    const { id, key } = made.body.data;

    const listed = await svc.call('GET', `${V1}/admin/service-keys`, { key: admin });
    expect(listed.status).toBe(200);
    const row = listed.body.data.find((k: { id: string }) => k.id === id);
    expect(row).toEqual({ id, service: 'hosted-evaluations', name: 'rogue?', createdAt: made.body.data.createdAt });
    expect(JSON.stringify(listed.body)).not.toContain(key);
    // The seeded key of environment-actions is there too.
    expect(listed.body.data.map((k: { service: string }) => k.service)).toContain('environment-actions');

    expect((await runtimeRead(key, 'job-by-rogue')).status).toBe(200);
    expect((await runtimeRead(svc.seed.serviceKey, 'job-by-real')).status).toBe(200);
    const audit = await svc.call('GET', `${V1}/audit?limit=10`, { key: svc.seed.user.apiKey });
    const actorOf = (job: string) => audit.body.data.find((e: { jobId: string }) => e.jobId === job)?.actor;
    expect(actorOf('job-by-rogue')).toEqual({ type: 'service', id: 'hosted-evaluations', keyId: id });
    expect(actorOf('job-by-real').keyId).toEqual(expect.any(String));
    expect(actorOf('job-by-real').keyId).not.toBe(id);

    const revoked = await svc.call('DELETE', `${V1}/admin/service-keys/${id}`, { key: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data).toEqual(row);
    expect((await runtimeRead(key, 'after-revoke')).status).toBe(401);
    expect((await svc.call('DELETE', `${V1}/admin/service-keys/${id}`, { key: admin })).status).toBe(404);
    const after = await svc.call('GET', `${V1}/admin/service-keys`, { key: admin });
    expect(after.body.data.map((k: { id: string }) => k.id)).not.toContain(id);
  });

  it('only the admin key lists and revokes them', async () => {
    for (const key of [svc.seed.user.apiKey, svc.seed.serviceKey, svc.seed.user.runtimeKey]) {
      expect((await svc.call('GET', `${V1}/admin/service-keys`, { key })).status).toBe(403);
      expect((await svc.call('GET', `${V1}/admin/audit`, { key })).status).toBe(403);
    }
    const id = (await svc.call('GET', `${V1}/admin/service-keys`, { key: admin })).body.data[0].id;
    expect((await svc.call('DELETE', `${V1}/admin/service-keys/${id}`, { key: svc.seed.serviceKey })).status).toBe(403);
    expect((await svc.call('GET', `${V1}/admin/service-keys`, { key: admin })).body.data[0].id).toBe(id);
  });
});

describe("the platform's audit log", () => {
  it('records every admin action by key, newest first, and no key', async () => {
    const user = await svc.newUser('audited');
    const made = await svc.call('POST', `${V1}/admin/service-keys`, {
      key: admin,
      body: { service: 'hosted-training', name: 'trainer' },
    });
    await svc.call('DELETE', `${V1}/admin/service-keys/${made.body.data.id}`, { key: admin });

    const log = await svc.call('GET', `${V1}/admin/audit?limit=4`, { key: admin });
    expect(log.status).toBe(200);
    expect(
      log.body.data.map((e: { action: string; target: { type: string; id: string } }) => [e.action, e.target]),
    ).toEqual([
      ['revoke', { type: 'service_key', id: made.body.data.id, name: 'hosted-training/trainer' }],
      ['create', { type: 'service_key', id: made.body.data.id, name: 'hosted-training/trainer' }],
      // the manage key svc.newUser has the admin issue beside the account key
      ['create', { type: 'api_key', id: expect.any(String), name: 'audited/manage' }],
      ['create', { type: 'user', id: user.id, name: 'audited' }],
    ]);
    const adminKeyId = log.body.data[0].actor.keyId;
    for (const event of log.body.data)
      expect(event.actor).toEqual({ type: 'admin', id: adminKeyId, keyId: adminKeyId });
    expect(JSON.stringify(log.body)).not.toContain(made.body.data.key);
    expect(JSON.stringify(log.body)).not.toContain(user.key);

    // Paged with the owners' cursor; the seed's own admin actions are further down.
    const next = await svc.call('GET', `${V1}/admin/audit?limit=50&cursor=${log.body.cursor}`, { key: admin });
    expect(next.body.data.map((e: { target: { type: string } }) => e.target.type)).toEqual(
      expect.arrayContaining(['service_key', 'user', 'admin_key']),
    );
  });
});
