import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_FACTORIES } from '../../functions/apps.js';
import { RESOURCES, ROUTES, type Resource, type RouteSpec } from '../../functions/routes.js';
import { PERMISSIONS, KMS_CONTEXT_KEYS, KMS_PURPOSE, WRITE_ACTIONS } from '../../infra/cdk/permissions.js';
import { seedDevelopmentData, type DevCredentials } from '../../infra/local/seed.js';
import { readConfig, type ServiceConfig } from '../../shared/config.js';
import type { DataKeyContext, KeyProvider } from '../../shared/crypto/key-provider.js';
import { LocalKeyProvider } from '../../shared/crypto/local-key-provider.js';
import { TABLE } from '../../shared/storage/table-definition.js';
import type { Db } from '../../shared/storage/client.js';
import { UNLIMITED, testDeps } from '../support/service.js';
import { createTestTable, partitionItems } from '../support/table.js';

/**
 * The permission map the stack grants from (infra/cdk/permissions.ts), checked against what the
 * code does: each resource runs as its own app with its own deps over one DynamoDB Local table,
 * as each Lambda does, and the DynamoDB and KMS calls it makes are recorded at the SDK and key
 * provider boundary and turned into the IAM actions they need. A flow that reaches every route
 * of the route table must need nothing the map withholds, and the map must grant nothing that
 * the flow does not use; alike for the partition keys of the items each resource writes and the
 * `dynamodb:LeadingKeys` patterns its writes are conditioned on.
 */

const used = Object.fromEntries(RESOURCES.map((r) => [r, new Set<string>()])) as Record<Resource, Set<string>>;
/** The partition key of every item each resource put, updated or deleted. */
const written = Object.fromEntries(RESOURCES.map((r) => [r, new Set<string>()])) as Record<Resource, Set<string>>;
const kmsContexts: DataKeyContext[] = [];
const foreignTables: string[] = [];
const calledRoutes = new Set<string>();
const apps = {} as Record<Resource, Hono<any, any, any>>;
let config: ServiceConfig;
let seed: DevCredentials;
/** The table as a test writes it, outside every resource. */
let outside: Db;

/** The IAM actions a DynamoDB call needs: a transaction's items are authorized one by one. */
function actionsOfCall(command: string, input: Record<string, any>): { target: string; action: string }[] {
  const op = command.replace(/Command$/, '');
  const target = (table: string | undefined, index?: string) => {
    if (table !== config.tableName) foreignTables.push(String(table));
    return index === undefined ? 'table' : index === TABLE.index.name ? 'index' : `index:${index}`;
  };
  switch (op) {
    case 'TransactWriteItems':
      return (input.TransactItems as Record<string, any>[]).map((item) => {
        const [kind, body] = Object.entries(item)[0]!;
        const action = {
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          ConditionCheck: 'ConditionCheckItem',
        }[kind];
        return { target: target(body.TableName), action: `dynamodb:${action ?? kind}` };
      });
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys(input.RequestItems).map((table) => ({ target: target(table), action: `dynamodb:${op}` }));
    default:
      return [{ target: target(input.TableName, input.IndexName), action: `dynamodb:${op}` }];
  }
}

/** A key attribute as the document client or the plain client holds it. */
const pkOf = (key: Record<string, any>): string => {
  const pk = key[TABLE.partitionKey];
  return typeof pk === 'string' ? pk : pk.S;
};

/** The partition keys a DynamoDB call writes under, item by item, as IAM sees `dynamodb:LeadingKeys`. */
function writtenKeysOfCall(command: string, input: Record<string, any>): string[] {
  const ofWrite = (body: Record<string, any>) => pkOf(body.Item ?? body.Key);
  switch (command.replace(/Command$/, '')) {
    case 'TransactWriteItems':
      return (input.TransactItems as Record<string, any>[]).flatMap((item) =>
        Object.entries(item).flatMap(([kind, body]) => (kind === 'ConditionCheck' ? [] : [ofWrite(body)])),
      );
    case 'BatchWriteItem':
      return Object.values(input.RequestItems as Record<string, Record<string, any>[]>).flatMap((requests) =>
        requests.map((request) => ofWrite(request.PutRequest ?? request.DeleteRequest)),
      );
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [ofWrite(input)];
    default:
      return [];
  }
}

/** IAM's StringLike: `*` any run of characters, `?` any one. */
const matchesPattern = (value: string, pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

function recordingProvider(inner: KeyProvider, resource: Resource): KeyProvider {
  return {
    name: inner.name,
    generateDataKey(context) {
      used[resource].add('kms:kms:GenerateDataKey');
      kmsContexts.push(context);
      return inner.generateDataKey(context);
    },
    decryptDataKey(wrapped, context) {
      used[resource].add('kms:kms:Decrypt');
      kmsContexts.push(context);
      return inner.decryptDataKey(wrapped, context);
    },
    // The KMS provider's check is a DescribeKey (shared/crypto/kms-key-provider.ts), with no encryption context.
    check() {
      used[resource].add('kms:kms:DescribeKey');
      return inner.check();
    },
  };
}

beforeAll(async () => {
  const { endpoint, tableName } = await createTestTable();
  config = readConfig({
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'prime-secrets-perms-')),
    // Keys are still counted in the table (the writes the map must allow), never refused.
    ...UNLIMITED,
  });
  const masterKey = randomBytes(32);
  const seeding = testDeps(config, { keyProvider: new LocalKeyProvider(masterKey) });
  outside = seeding.db;
  seed = await seedDevelopmentData(seeding, 'http://x');
  for (const resource of RESOURCES) {
    // A process of its own per resource, as in Lambda: its own caches, clients and key provider.
    const deps = testDeps(config, {
      keyProvider: recordingProvider(new LocalKeyProvider(masterKey), resource),
    });
    deps.db.raw.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, any>;
        for (const { target, action } of actionsOfCall(context.commandName ?? '?', input)) {
          used[resource].add(`${target}:${action}`);
        }
        for (const pk of writtenKeysOfCall(context.commandName ?? '?', input)) written[resource].add(pk);
        return next(args);
      },
      { step: 'initialize', name: 'recordIamActions' },
    );
    apps[resource] = APP_FACTORIES[resource](deps);
  }
});

const routeOf = (method: string, path: string): RouteSpec => {
  const bare = path.split('?')[0]!.replace(/\/$/, '');
  const route = ROUTES.find(
    (r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare),
  );
  if (!route) throw new Error(`no route for ${method} ${path}`);
  return route;
};

/** A request to the one resource app the route table sends it to, as API Gateway would. */
async function call(
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const route = routeOf(method, path);
  calledRoutes.add(`${route.method} ${route.path}`);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const res = await apps[route.resource].request(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** What a delete of the environment leaves when its process stops right after the commit. */
async function stopAfterCommit(env: { id: string; name: string; userId: string }): Promise<void> {
  const owner = `OWNER#U#${env.userId}`;
  await outside.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: outside.tableName, Key: { pk: `ENV#${env.id}`, sk: 'META' } } },
        { Delete: { TableName: outside.tableName, Key: { pk: owner, sk: `ENVNAME#${env.name}` } } },
        {
          Update: {
            TableName: outside.tableName,
            Key: { pk: owner, sk: 'COUNTS' },
            UpdateExpression: 'ADD environmentCount :d',
            ExpressionAttributeValues: { ':d': -1 },
          },
        },
        {
          Put: {
            TableName: outside.tableName,
            Item: { pk: owner, sk: `ENVDEL#${env.id}`, envId: env.id, name: env.name, deletedAt: 'now' },
          },
        },
      ],
    }),
  );
}

/** Calls and insists on the status, so the flow really goes where it means to. */
async function must(status: number, method: string, path: string, options: Parameters<typeof call>[2] = {}) {
  const res = await call(method, path, options);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

/**
 * The web console as a browser without script uses it: a cookie jar, HTML forms with the
 * session's CSRF token, redirects. Insists on the status, like `must`.
 */
function consoleBrowser() {
  const jar = new Map<string, string>();
  let csrf = '';
  return async function visit(
    status: number,
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string> | FormData,
  ): Promise<string> {
    const route = routeOf(method, path);
    calledRoutes.add(`${route.method} ${route.path}`);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    // A form with a file goes as multipart, its content type (with the boundary) the body's own.
    if (form instanceof FormData) form.append('_csrf', csrf);
    const res = await apps[route.resource].request(path, {
      method,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form && !(form instanceof FormData) ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body:
        form instanceof FormData ? form : form ? new URLSearchParams({ _csrf: csrf, ...form }).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const name = pair.slice(0, pair.indexOf('='));
      if (/max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, pair.slice(pair.indexOf('=') + 1));
    }
    const html = await res.text();
    expect(res.status, `${method} ${path}: ${html.slice(0, 300)}`).toBe(status);
    csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? csrf;
    return html;
  };
}

describe('the permission map against the calls each resource makes', () => {
  it('runs a flow through every route of the route table', async () => {
    const user = seed.user.apiKey;
    const admin = seed.adminKey;
    const personal = seed.environments.personal.id;
    const teamEnv = seed.environments.team.id;
    const V1 = '/api/v1';

    // accounts
    await must(200, 'GET', `${V1}/health`);
    await must(200, 'GET', `${V1}/health/deep`, { key: admin });
    await must(200, 'GET', '/openapi.json');
    await must(200, 'GET', `${V1}/user/whoami`, { key: user });
    await must(200, 'GET', `${V1}/user/teams`, { key: user });
    const other = (
      await must(201, 'POST', `${V1}/admin/users`, {
        key: admin,
        body: { email: 'perm@example.com', name: 'Perm User', slug: 'perm-user' },
      })
    ).data;
    const serviceKey = (
      await must(201, 'POST', `${V1}/admin/service-keys`, {
        key: admin,
        body: { service: 'environment-actions', name: 'perms' },
      })
    ).data;
    await must(200, 'GET', `${V1}/admin/service-keys`, { key: admin });
    await must(200, 'DELETE', `${V1}/admin/service-keys/${serviceKey.id}`, { key: admin });
    await must(200, 'GET', `${V1}/admin/users`, { key: admin });
    await must(200, 'POST', `${V1}/admin/users/${other.user.id}/disable`, { key: admin });
    await must(200, 'POST', `${V1}/admin/users/${other.user.id}/enable`, { key: admin });
    await must(201, 'POST', `${V1}/admin/users/${other.user.id}/api-keys`, { key: admin, body: { name: 'perms' } });
    const adminKey = (await must(201, 'POST', `${V1}/admin/api-keys`, { key: admin, body: { name: 'perms' } })).data;
    await must(200, 'GET', `${V1}/admin/api-keys`, { key: admin });
    await must(200, 'DELETE', `${V1}/admin/api-keys/${adminKey.id}`, { key: admin });
    const team = (await must(201, 'POST', `${V1}/teams`, { key: user, body: { name: 'Perm Team', slug: 'perm-team' } }))
      .data;
    const otherId = other.user?.id ?? other.id;
    await must(201, 'POST', `${V1}/teams/${team.id}/members`, { key: user, body: { userId: otherId, role: 'member' } });
    await must(200, 'GET', `${V1}/teams/${team.id}/members`, { key: user });
    await must(200, 'PATCH', `${V1}/teams/${team.id}/members/${otherId}`, { key: user, body: { role: 'viewer' } });
    await must(200, 'DELETE', `${V1}/teams/${team.id}/members/${otherId}`, { key: user });
    const apiKey = (await must(201, 'POST', `${V1}/user/api-keys`, { key: user, body: { name: 'ci' } })).data;
    await must(200, 'GET', `${V1}/user/api-keys`, { key: user });
    await must(200, 'DELETE', `${V1}/user/api-keys/${apiKey.id}`, { key: user });

    // environments
    const env = (await must(201, 'POST', `${V1}/environmentshub`, { key: user, body: { name: 'perm-env' } })).data;
    await must(200, 'GET', `${V1}/environmentshub`, { key: user });
    await must(200, 'GET', `${V1}/environmentshub/${seed.user.slug}/perm-env/@latest`, { key: user });

    // A team owner's first data key comes from environment-secrets, a person's from global-secrets;
    // each resource then meets the other's key cold and unwraps it.
    await must(201, 'POST', `${V1}/environmentshub/${teamEnv}/secrets`, {
      key: user,
      body: { name: 'TEAM_DIRECT', value: 'team-direct' },
    });
    const global = (await must(201, 'POST', `${V1}/secrets`, { key: user, body: { name: 'G_ONE', value: 'g-one' } }))
      .data;
    await must(201, 'POST', `${V1}/secrets`, {
      key: user,
      body: { name: 'G_TEAM', value: 'g-team', teamId: seed.team.id },
    });
    await must(200, 'GET', `${V1}/secrets`, { key: user });
    await must(200, 'GET', `${V1}/secrets/${global.id}`, { key: user });

    // environment-secrets and variables
    await must(201, 'POST', `${V1}/environmentshub/${env.id}/secrets/link/${global.id}`, { key: user, body: {} });
    const direct = (
      await must(201, 'POST', `${V1}/environmentshub/${env.id}/secrets`, {
        key: user,
        body: { name: 'DIRECT', value: 'direct-1' },
      })
    ).data;
    await must(200, 'GET', `${V1}/environmentshub/${env.id}/secrets`, { key: user });
    await must(200, 'PATCH', `${V1}/environmentshub/${env.id}/secrets/${direct.id}`, {
      key: user,
      body: { value: 'direct-2' },
    });
    // A personal secret cannot go into a team environment: the index tells scope from absence.
    const mismatch = await must(409, 'POST', `${V1}/environmentshub/${teamEnv}/secrets/link/${global.id}`, {
      key: user,
      body: {},
    });
    expect(mismatch.code).toBe('scope_mismatch');
    const variable = (
      await must(201, 'POST', `${V1}/environmentshub/${env.id}/variables`, {
        key: user,
        body: { name: 'MODE', value: 'fast' },
      })
    ).data;
    await must(200, 'GET', `${V1}/environmentshub/${env.id}/variables`, { key: user });
    await must(200, 'PATCH', `${V1}/environmentshub/${env.id}/variables/${variable.id}`, {
      key: user,
      body: { value: 'slow' },
    });

    // runtime: a service key, and a user's runtime key on a team environment (membership in the batch)
    const resolved = await must(200, 'GET', `${V1}/environmentshub/${env.id}/runtime`, {
      key: seed.serviceKey,
      headers: { 'x-job-id': 'job-perms' },
    });
    expect(resolved.data.env).toEqual({ G_ONE: 'g-one', DIRECT: 'direct-2', MODE: 'slow' });
    await must(200, 'GET', `${V1}/environmentshub/${teamEnv}/runtime`, { key: seed.user.runtimeKey });
    // a read of many names: its versions are a set of their own, written with its first event
    const wide = (await must(201, 'POST', `${V1}/environmentshub`, { key: user, body: { name: 'wide' } })).data;
    for (let i = 0; i < 30; i++) {
      await must(201, 'POST', `${V1}/environmentshub/${wide.id}/variables`, {
        key: user,
        body: { name: `WIDE_VARIABLE_NUMBER_${i}`, value: `${i}` },
      });
    }
    await must(200, 'GET', `${V1}/environmentshub/${wide.id}/runtime`, { key: seed.serviceKey });

    // requirements and the pre-flight check (names only: no data key, no KMS)
    await must(200, 'PUT', `${V1}/environmentshub/${env.id}/requirements/MODE`, { key: user, body: {} });
    await must(200, 'PUT', `${V1}/environmentshub/${env.id}/requirements/LATER`, { key: user, body: {} });
    await must(200, 'GET', `${V1}/environmentshub/${env.id}/requirements`, { key: user });
    await must(200, 'DELETE', `${V1}/environmentshub/${env.id}/requirements/LATER`, { key: user });
    await must(200, 'GET', `${V1}/environmentshub/${env.id}/runtime/check`, { key: seed.serviceKey });
    await must(200, 'GET', `${V1}/environmentshub/${teamEnv}/runtime/check`, { key: user });

    // runtime tokens: minted at job start (by a service key, and by a user's runtime key on a team
    // environment: a team role), read with, listed, revoked
    const minted = (
      await must(201, 'POST', `${V1}/environmentshub/${env.id}/runtime-tokens`, {
        key: seed.serviceKey,
        body: { jobId: 'job-perms-token' },
      })
    ).data;
    await must(201, 'POST', `${V1}/environmentshub/${teamEnv}/runtime-tokens`, {
      key: seed.user.runtimeKey,
      body: { jobId: 'job-perms-team' },
    });
    const tokenRead = await must(200, 'GET', `${V1}/environmentshub/${env.id}/runtime`, { key: minted.token });
    expect(tokenRead.data.env).toEqual(resolved.data.env);
    await must(200, 'GET', `${V1}/environmentshub/${env.id}/runtime/check`, { key: minted.token });
    await must(200, 'GET', `${V1}/environmentshub/${env.id}/runtime-tokens`, { key: seed.serviceKey });
    await must(200, 'DELETE', `${V1}/environmentshub/${env.id}/runtime-tokens/${minted.id}`, { key: seed.serviceKey });

    // versions and rollbacks of each kind of value
    await must(200, 'PATCH', `${V1}/secrets/${global.id}`, { key: user, body: { value: 'g-one-2' } });
    for (const path of [
      `${V1}/secrets/${global.id}`,
      `${V1}/environmentshub/${env.id}/secrets/${direct.id}`,
      `${V1}/environmentshub/${env.id}/variables/${variable.id}`,
    ]) {
      await must(200, 'GET', `${path}/versions`, { key: user });
      await must(200, 'POST', `${path}/rollback`, { key: user, body: { version: 1 } });
    }

    // data keys: a rotation re-seals every value of the owner where it lives, the kept versions
    // and a recently deleted direct secret included
    const deletedDirect = (
      await must(201, 'POST', `${V1}/environmentshub/${env.id}/secrets`, {
        key: user,
        body: { name: 'D_DELETED', value: 'd-deleted' },
      })
    ).data;
    await must(200, 'DELETE', `${V1}/environmentshub/${env.id}/secrets/${deletedDirect.id}`, { key: user });
    await must(200, 'GET', `${V1}/data-keys`, { key: user });
    await must(202, 'POST', `${V1}/data-keys/rotate`, { key: user, body: {} });
    await must(200, 'GET', `${V1}/data-keys?teamId=${seed.team.id}`, { key: admin });

    // a rename across linked environments, then unlink and deletes
    await must(200, 'PATCH', `${V1}/secrets/${global.id}`, { key: user, body: { name: 'G_RENAMED' } });
    await must(200, 'DELETE', `${V1}/environmentshub/${env.id}/secrets/link/${global.id}`, { key: user });
    // deleted entries: listed, one restored and purged while live, the other purged once deleted
    for (const [collection, id] of [
      ['secrets', direct.id],
      ['variables', variable.id],
    ]) {
      const path = `${V1}/environmentshub/${env.id}/${collection}`;
      await must(200, 'DELETE', `${path}/${id}`, { key: user });
      await must(200, 'GET', `${path}?deleted=true`, { key: user });
      await must(200, 'POST', `${path}/${id}/restore`, { key: user, body: {} });
      await must(200, 'DELETE', `${path}/${id}?purge=true`, { key: user });
    }
    const purgedLater = (
      await must(201, 'POST', `${V1}/environmentshub/${env.id}/variables`, {
        key: user,
        body: { name: 'P', value: 'p' },
      })
    ).data;
    await must(200, 'DELETE', `${V1}/environmentshub/${env.id}/variables/${purgedLater.id}`, { key: user });
    await must(200, 'DELETE', `${V1}/environmentshub/${env.id}/variables/${purgedLater.id}?purge=true`, { key: user });
    // Deleting a linked secret removes its links; restoring it links it again; a purge destroys
    // it; deleting an environment removes its entries, deleted entries and versions.
    await must(201, 'POST', `${V1}/environmentshub/${env.id}/secrets/link/${global.id}`, { key: user, body: {} });
    await must(200, 'DELETE', `${V1}/secrets/${global.id}`, { key: user });
    await must(200, 'GET', `${V1}/secrets?deleted=true`, { key: user });
    await must(200, 'POST', `${V1}/secrets/${global.id}/restore`, { key: user, body: {} });
    await must(200, 'DELETE', `${V1}/secrets/${global.id}?purge=true`, { key: user });
    const second = (await must(201, 'POST', `${V1}/secrets`, { key: user, body: { name: 'G_TWO', value: 'g-two' } }))
      .data;
    await must(201, 'POST', `${V1}/environmentshub/${env.id}/secrets/link/${second.id}`, { key: user, body: {} });
    const kept = (
      await must(201, 'POST', `${V1}/environmentshub/${env.id}/variables`, {
        key: user,
        body: { name: 'V', value: 'v' },
      })
    ).data;
    await must(200, 'DELETE', `${V1}/environmentshub/${env.id}/variables/${kept.id}`, { key: user });
    await must(201, 'POST', `${V1}/environmentshub/${env.id}/variables`, {
      key: user,
      body: { name: 'V', value: 'v' },
    });
    await must(200, 'DELETE', `${V1}/environmentshub/${env.id}`, { key: user });
    await must(200, 'GET', `${V1}/environmentshub/${personal}/secrets`, { key: user });

    // audit: personal and a team's (team role)
    const audit = await must(200, 'GET', `${V1}/audit`, { key: user });
    expect(audit.data.length).toBeGreaterThan(0);
    await must(200, 'GET', `${V1}/audit?teamId=${seed.team.id}`, { key: user });
    await must(200, 'GET', `${V1}/audit?environmentId=${env.id}`, { key: user });
    const wideRead = (await must(200, 'GET', `${V1}/audit`, { key: user })).data.find(
      (event: { jobId: string | null; environmentId: string }) =>
        event.environmentId === wide.id && event.jobId === null,
    );
    expect(Object.keys(wideRead.versions)).toHaveLength(30);
    await must(200, 'GET', `${V1}/admin/audit`, { key: admin });

    // console: the user without secrets yet signs in and makes their first data key there
    const otherBrowser = consoleBrowser();
    await otherBrowser(200, 'GET', '/console/signin');
    await otherBrowser(200, 'GET', '/console/assets/console.css');
    await otherBrowser(303, 'POST', '/console/signin', { apiKey: other.apiKey });
    await otherBrowser(200, 'GET', '/console');
    await otherBrowser(303, 'POST', '/console/secrets', { name: 'C_GLOBAL', value: 'c-global' });
    const consoleSecretId = /href="\/console\/secrets\/([a-z2-7]{24})"/.exec(
      await otherBrowser(200, 'GET', '/console'),
    )![1]!;
    await otherBrowser(200, 'GET', `/console/secrets/${consoleSecretId}`);
    await otherBrowser(303, 'POST', `/console/secrets/${consoleSecretId}`, {
      name: 'C_GLOBAL',
      value: 'c-global-2',
      description: 'from the console',
    });
    await otherBrowser(303, 'POST', `/console/secrets/${consoleSecretId}/rollback`, { version: '1' });
    await otherBrowser(303, 'POST', `/console/secrets/${consoleSecretId}/delete`, { confirm: 'yes' });
    await otherBrowser(303, 'POST', `/console/secrets/${consoleSecretId}/restore`, { name: '' });
    await otherBrowser(303, 'POST', `/console/secrets/${consoleSecretId}/delete`, { confirm: 'yes' });
    await otherBrowser(303, 'POST', '/console/signout', {});

    // console: the seed user's environment (a data key the console meets cold), links, variables
    const browser = consoleBrowser();
    await browser(200, 'GET', '/console/signin');
    await browser(303, 'POST', '/console/signin', { apiKey: user });
    await browser(200, 'GET', '/console/environments');
    const tab = `/console/environments/${personal}`;
    await browser(200, 'GET', tab);
    await browser(303, 'POST', `${tab}/secrets`, { name: 'C_DIRECT', value: 'c-direct' });
    // An environment delete stopped after its commit: the console's next write of the owner (the
    // link below) finishes it, deleting what is left in batches.
    const stopped = (await must(201, 'POST', `${V1}/environmentshub`, { key: user, body: { name: 'perm-stopped' } }))
      .data;
    await must(201, 'POST', `${V1}/environmentshub/${stopped.id}/secrets`, {
      key: user,
      body: { name: 'LEFT', value: 'left' },
    });
    await stopAfterCommit(stopped);
    await browser(303, 'POST', `${tab}/links`, { secretId: second.id });
    expect(await partitionItems(outside, `ENV#${stopped.id}`)).toEqual([]);
    await browser(409, 'POST', `${tab}/links`, {
      secretId: (await must(200, 'GET', `${V1}/secrets?teamId=${seed.team.id}`, { key: user })).data[0].id,
    });
    await browser(303, 'POST', `${tab}/variables`, { name: 'C_VAR', value: 'c-var' });
    const page = await browser(200, 'GET', tab);
    const directId = new RegExp(`${tab}/secrets/([a-z2-7]{24})"`).exec(page)![1]!;
    const variables = await browser(200, 'GET', `${tab}/variables`);
    const variableId = new RegExp(`${tab}/variables/([a-z2-7]{24})"`).exec(variables)![1]!;
    for (const other of ['secrets', 'requirements', 'job-view', 'deleted'])
      await browser(200, 'GET', `${tab}/${other}`);
    await browser(200, 'GET', `${tab}/secrets/${directId}`);
    await browser(303, 'POST', `${tab}/secrets/${directId}`, {
      name: 'C_DIRECT',
      value: 'c-direct-2',
      description: '',
    });
    await browser(303, 'POST', `${tab}/secrets/${directId}/rollback`, { version: '1' });
    await browser(303, 'POST', `${tab}/secrets/${directId}/delete`, { confirm: 'yes' });
    await browser(303, 'POST', `${tab}/secrets/${directId}/restore`, { name: 'C_DIRECT_BACK' });
    await browser(303, 'POST', `${tab}/secrets/${directId}/delete`, { confirm: 'yes' });
    await browser(303, 'POST', `${tab}/links/${second.id}/delete`, {});
    await browser(303, 'POST', `${tab}/requirements`, { name: 'C_NEEDED', description: 'read by the code' });
    await browser(303, 'POST', `${tab}/requirements/C_NEEDED/delete`, {});
    await browser(200, 'GET', `${tab}/variables/${variableId}`);
    await browser(303, 'POST', `${tab}/variables/${variableId}`, { name: 'C_VAR', value: 'c-var-2', description: '' });
    await browser(303, 'POST', `${tab}/variables/${variableId}/rollback`, { version: '1' });
    await browser(303, 'POST', `${tab}/variables/${variableId}/delete`, { confirm: 'yes' });
    await browser(303, 'POST', `${tab}/variables/${variableId}/restore`, { name: '' });
    await browser(303, 'POST', `${tab}/variables/${variableId}/delete`, { confirm: 'yes' });
    // a file secret by upload, of the scope and of the environment
    const upload = (name: string) => {
      const form = new FormData();
      form.append('name', name);
      form.append('file', new File([new TextEncoder().encode(`${name} content`)], 'f.txt'));
      return form;
    };
    await browser(303, 'POST', '/console/file-secrets', upload('C_FILE'));
    await browser(303, 'POST', `${tab}/file-secrets`, upload('C_DIRECT_FILE'));
    // an environment made and deleted in the console, linked from a global secret's own page first
    await browser(303, 'POST', '/console/environments', { name: 'console-env' });
    const consoleEnv = (await must(200, 'GET', `${V1}/environmentshub`, { key: user })).data.find(
      (e: { name: string }) => e.name === 'console-env',
    );
    await browser(303, 'POST', `/console/secrets/${second.id}/links`, { envId: consoleEnv.id });
    await browser(303, 'POST', `/console/secrets/${second.id}/links/${consoleEnv.id}/delete`, {});
    await browser(303, 'POST', `/console/secrets/${second.id}/links`, { envId: consoleEnv.id });
    await browser(303, 'POST', `/console/environments/${consoleEnv.id}/secrets`, { name: 'C_GONE', value: 'c-gone' });
    await browser(303, 'POST', `/console/environments/${consoleEnv.id}/delete`, { confirm: 'console-env' });

    // console: the API keys page (a function of its own) makes and revokes a key, then revokes the
    // key its session was opened with, which ends the session
    const sessionKey = (await must(201, 'POST', `${V1}/user/api-keys`, { key: user, body: { name: 'perm-console' } }))
      .data;
    const keysBrowser = consoleBrowser();
    await keysBrowser(200, 'GET', '/console/signin');
    await keysBrowser(303, 'POST', '/console/signin', { apiKey: sessionKey.key });
    await keysBrowser(200, 'GET', '/console/assets/copy.js');
    const keysPage = await keysBrowser(200, 'GET', '/console/keys');
    const made = await keysBrowser(201, 'POST', '/console/keys', {
      formId: /name="formId" value="([^"]+)"/.exec(keysPage)![1]!,
      name: 'perm-made',
      scope: 'manage',
    });
    const madeId = /perm-made<[\s\S]*?action="\/console\/keys\/([a-z2-7]{24})\/revoke"/.exec(made)![1]!;
    await keysBrowser(303, 'POST', `/console/keys/${madeId}/revoke`, {});
    await keysBrowser(303, 'POST', `/console/keys/${sessionKey.id}/revoke`, {});

    expect(ROUTES.map((r) => `${r.method} ${r.path}`).filter((r) => !calledRoutes.has(r))).toEqual([]);
  });

  it('uses only the one table and its index', () => {
    expect(foreignTables).toEqual([]);
    for (const resource of RESOURCES) {
      for (const action of used[resource]) expect(action).toMatch(/^(table|index|kms):(dynamodb|kms):\w+$/);
    }
  });

  it('calls KMS only under the encryption context the grants are conditioned on', () => {
    expect(kmsContexts.length).toBeGreaterThan(0);
    for (const context of kmsContexts) {
      expect(context.purpose).toBe(KMS_PURPOSE);
      expect(Object.keys(context).sort()).toEqual([...KMS_CONTEXT_KEYS]);
    }
  });

  /**
   * Calls a resource makes only when it loses a race, which a sequential flow cannot show:
   * deleting an environment removes its links assuming their secrets exist; when one was
   * deleted meanwhile, link removal re-reads what still exists (services/links.ts).
   */
  const RACE_ONLY: Partial<Record<(typeof RESOURCES)[number], string[]>> = {
    environments: ['table:dynamodb:BatchGetItem'],
  };

  it.each(RESOURCES)('%s: needs nothing the map withholds, and the map grants nothing it does not use', (resource) => {
    const grants = PERMISSIONS[resource];
    const granted = new Set([
      ...grants.table.map((a) => `table:${a}`),
      ...grants.index.map((a) => `index:${a}`),
      ...grants.kms.map((a) => `kms:${a}`),
      ...grants.keyCheck.map((a) => `kms:${a}`),
    ]);
    const usedHere = [...used[resource]].sort();
    expect(usedHere.filter((a) => !granted.has(a))).toEqual([]);
    const raceOnly = RACE_ONLY[resource] ?? [];
    expect(raceOnly.filter((a) => used[resource].has(a))).toEqual([]); // else it is no longer race-only
    expect([...granted].filter((a) => !used[resource].has(a) && !raceOnly.includes(a))).toEqual([]);
  });

  it.each(RESOURCES)('%s: writes only under its LeadingKeys patterns, and uses every one of them', (resource) => {
    const patterns = PERMISSIONS[resource].writes;
    const keys = [...written[resource]].sort();
    expect(keys.filter((pk) => !patterns.some((p) => matchesPattern(pk, p)))).toEqual([]);
    expect(patterns.filter((p) => !keys.some((pk) => matchesPattern(pk, p)))).toEqual([]);
    // A resource without write actions declares no partition, and one with them declares some.
    expect(patterns.length > 0).toBe(PERMISSIONS[resource].table.some((a) => WRITE_ACTIONS.includes(a)));
  });
});
