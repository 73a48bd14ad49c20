import { randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../shared/data/keys.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Trust in the table: one edited item must not move values across owners. An environment's
 * owner key (which reads its linked secrets and opens its values) is derived from the owner that
 * authorization checks, never read from a field of its own; so pointing an environment's
 * `userId` or `teamId` at an attacker hands them a read that finds and opens nothing.
 */
const V1 = '/api/v1';
let svc: TestService;
let envId: string;
const linkedValue = `linked-${randomBytes(8).toString('hex')}`;
const directValue = `direct-${randomBytes(8).toString('hex')}`;
let mallory: { id: string; runtimeKey: string; teamId: string };

async function editMeta(field: string, value: string): Promise<() => Promise<void>> {
  const key = keys.environment(envId);
  const out = await svc.deps.db.doc.send(
    new UpdateCommand({
      TableName: svc.tableName,
      Key: key,
      UpdateExpression: 'SET #f = :v',
      ExpressionAttributeNames: { '#f': field },
      ExpressionAttributeValues: { ':v': value },
      ReturnValues: 'UPDATED_OLD',
    }),
  );
  const old = out.Attributes?.[field];
  // An edit outside the service bumps no revision: read as a container that had not kept the environment.
  svc.deps.partitions.clear();
  return async () => {
    svc.deps.partitions.clear();
    await svc.deps.db.doc.send(
      new UpdateCommand({
        TableName: svc.tableName,
        Key: key,
        UpdateExpression: old === undefined ? 'REMOVE #f' : 'SET #f = :v',
        ExpressionAttributeNames: { '#f': field },
        ...(old === undefined ? {} : { ExpressionAttributeValues: { ':v': old } }),
      }),
    );
  };
}

beforeAll(async () => {
  svc = await startTestService();
  const key = svc.seed.user.apiKey;
  envId = svc.seed.environments.personal.id;
  const secret = await svc.call('POST', `${V1}/secrets`, { key, body: { name: 'JUDGE_KEY', value: linkedValue } });
  expect(
    (await svc.call('POST', `${V1}/environmentshub/${envId}/secrets/link/${secret.body.data.id}`, { key, body: {} }))
      .status,
  ).toBe(201);
  await svc.call('POST', `${V1}/environmentshub/${envId}/secrets`, {
    key,
    body: { name: 'DB_PASSWORD', value: directValue },
  });

  const user = await svc.newUser('mallory');
  const runtime = await svc.call('POST', `${V1}/user/api-keys`, {
    key: user.accountKey,
    body: { name: 'runtime', scopes: ['manage', 'runtime'] },
  });
  const team = await svc.call('POST', `${V1}/teams`, {
    key: user.key,
    body: { name: 'Mallory', slug: 'mallory-team' },
  });
  // Mallory's own values exist too, so a read under her owner key has a data key to try.
  await svc.call('POST', `${V1}/secrets`, { key: user.key, body: { name: 'OWN', value: 'x' } });
  mallory = { id: user.id, runtimeKey: runtime.body.data.key, teamId: team.body.data.id };
});

describe('an edited environment item moves no values across owners', () => {
  it('the owner reads the values, before any edit', async () => {
    expect(await svc.runtimeEnv(envId)).toEqual({ JUDGE_KEY: linkedValue, DB_PASSWORD: directValue });
  });

  for (const [field, value] of [
    ['userId', () => mallory.id],
    ['teamId', () => mallory.teamId],
  ] as const) {
    it(`${field} pointed at the attacker: their runtime read opens none of the owner's values`, async () => {
      const restore = await editMeta(field, value());
      try {
        const res = await svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, { key: mallory.runtimeKey });
        const text = JSON.stringify(res.body);
        expect(text).not.toContain(linkedValue);
        expect(text).not.toContain(directValue);
        // The direct secret is sealed to its real owner: opening it under another fails closed.
        expect(res.status).toBe(500);
      } finally {
        await restore();
      }
      expect(await svc.runtimeEnv(envId)).toEqual({ JUDGE_KEY: linkedValue, DB_PASSWORD: directValue });
    });
  }

  it('an owner key written into the item is not what reads it', async () => {
    const restore = await editMeta('ownerKey', `U#${mallory.id}`);
    try {
      expect(await svc.runtimeEnv(envId)).toEqual({ JUDGE_KEY: linkedValue, DB_PASSWORD: directValue });
      const res = await svc.call('GET', `${V1}/environmentshub/${envId}/runtime`, { key: mallory.runtimeKey });
      expect(res.status).toBe(404);
    } finally {
      await restore();
    }
  });
});
