import { randomInt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OwnerKey } from '../../shared/owner-key.js';
import { startTestService, type CallResult, type TestService } from '../support/service.js';
import {
  allowedFinalValues,
  auditMismatches,
  openStored,
  prng,
  scanTable,
  staleReads,
  storageProblems,
  storedState,
  tally,
  type AuditEventLike,
  type ExpectedEvent,
  type StoredState,
  type ValueRead,
  type ValueWrite,
} from './invariants.js';

/**
 * A randomized concurrent history: 8 writers make 500 random operations each on one
 * environment and its owner's global secrets, through the HTTP routes, over a pool of 12
 * names so that most operations race another one. Each writer acts on what it last saw
 * through the list routes, so many requests aim at things just renamed, deleted or linked.
 * Every response must be one its operation may give (never a 5xx). Then the invariants:
 * storage, the list routes against the runtime read, values against a linearizable history,
 * and the audit log against the mutations that succeeded.
 *
 * The seed is printed; `HISTORY_SEED=<n>` replays a writer's choices (the interleaving
 * itself depends on timing).
 */
const WRITERS = 8;
const OPS_PER_WRITER = 500;
const NAMES = [
  'API_KEY',
  'TOKEN',
  'DB_URL',
  'REGION',
  'SECRET_A',
  'SECRET_B',
  'PORT',
  'HOST',
  'USERNAME',
  'PASSWORD',
  'MODEL',
  'SEED',
];
const SEED = process.env.HISTORY_SEED ? Number(process.env.HISTORY_SEED) : randomInt(2 ** 31);

type Op =
  | 'createGlobal'
  | 'updateGlobal'
  | 'renameGlobal'
  | 'deleteGlobal'
  | 'link'
  | 'unlink'
  | 'createSecret'
  | 'updateSecret'
  | 'renameSecret'
  | 'deleteSecret'
  | 'deleteLinkedAsDirect'
  | 'createVariable'
  | 'updateVariable'
  | 'renameVariable'
  | 'deleteVariable'
  | 'listGlobals'
  | 'listSecrets'
  | 'listVariables'
  | 'runtime';

const WEIGHTS: [Op, number][] = [
  ['createGlobal', 6],
  ['updateGlobal', 6],
  ['renameGlobal', 8],
  ['deleteGlobal', 4],
  ['link', 10],
  ['unlink', 6],
  ['createSecret', 5],
  ['updateSecret', 7],
  ['renameSecret', 7],
  ['deleteSecret', 3],
  ['deleteLinkedAsDirect', 1],
  ['createVariable', 5],
  ['updateVariable', 7],
  ['renameVariable', 7],
  ['deleteVariable', 3],
  ['listGlobals', 4],
  ['listSecrets', 4],
  ['listVariables', 5],
  ['runtime', 6],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((sum, [, w]) => sum + w, 0);

/** What an operation may answer: its success status, and the error codes of each error status. */
interface Allowed {
  success?: 200 | 201;
  errors?: Partial<Record<404 | 409, string[]>>;
}

interface Seen {
  id: string;
  name: string;
  isFile: boolean;
}

type ValueKind = 'global' | 'secret' | 'variable';

let svc: TestService;
let userKey: string;
let envId: string;
let envName: string;
let ownerKey: OwnerKey;

// ---- what the history recorded ----
const problems: string[] = [];
const statuses: string[] = [];
const expectedEvents: ExpectedEvent[] = [];
const writes: Record<ValueKind, ValueWrite[]> = { global: [], secret: [], variable: [] };
const valueReads: ValueRead[] = [];
const runtimeSnapshots: Record<string, string>[] = [];
const sentValues = new Set<string>();

// ---- what was read after it ----
let stored: StoredState;
let baselineEvents: Set<string>;
let auditEvents: AuditEventLike[];
let finalGlobals: any[];
let finalSecrets: any[];
let finalVariables: any[];
let finalRuntime: CallResult;

const envPath = () => `/api/v1/environmentshub/${envId}`;

class Writer {
  readonly rand: () => number;
  seq = 0;
  readonly globals = new Map<string, Seen>();
  readonly direct = new Map<string, Seen>();
  readonly linked = new Map<string, Seen>();
  readonly variables = new Map<string, Seen>();

  constructor(readonly index: number) {
    this.rand = prng(SEED * 31 + index);
  }

  pick<T>(items: Iterable<T>): T | undefined {
    const list = [...items];
    return list.length === 0 ? undefined : list[Math.floor(this.rand() * list.length)];
  }

  /**
   * A name from the pool, other than `except`; most often one this writer saw free among
   * `used`, so that many creates and renames succeed, the rest collide.
   */
  name(used: Iterable<Seen>, except?: string): string {
    const taken = new Set([...used].map((s) => s.name));
    const pool = NAMES.filter((n) => n !== except);
    const free = pool.filter((n) => !taken.has(n));
    const from = free.length > 0 && this.rand() < 0.6 ? free : pool;
    return from[Math.floor(this.rand() * from.length)]!;
  }

  /** The names this writer last saw used in the environment. */
  entries(): Seen[] {
    return [...this.direct.values(), ...this.linked.values(), ...this.variables.values()];
  }

  /** A value no other request sends, sometimes beyond ASCII; base64 for a file secret. */
  value(isFile: boolean): string {
    let text = `v${this.index}.${this.seq}.${Math.floor(this.rand() * 2 ** 32).toString(36)}`;
    if (this.rand() < 0.3) text += ' ünïcödé 🙂 مرحبا';
    const value = isFile ? Buffer.from(text, 'utf8').toString('base64') : text;
    sentValues.add(value);
    return value;
  }

  nextOp(): Op {
    let r = this.rand() * TOTAL_WEIGHT;
    for (const [op, w] of WEIGHTS) {
      r -= w;
      if (r < 0) return op;
    }
    return 'listGlobals';
  }

  /** One request; a response outside `allowed` is recorded as a problem. */
  async request(
    op: Op,
    method: string,
    path: string,
    allowed: Allowed,
    options: { body?: unknown; key?: string; headers?: Record<string, string> } = {},
  ): Promise<{ res: CallResult; ok: boolean; start: number; end: number }> {
    const start = performance.now();
    const res = await svc.call(method, path, { ...options, key: options.key ?? userKey });
    const end = performance.now();
    const code = typeof res.body?.code === 'string' ? ` ${res.body.code}` : '';
    statuses.push(`${op} ${res.status}${code}`);
    const ok = res.status === allowed.success && typeof res.body?.data === 'object' && res.body.data !== null;
    const expectedError =
      (res.status === 404 || res.status === 409) &&
      (allowed.errors?.[res.status] ?? []).includes(res.body?.code) &&
      typeof res.body?.detail === 'string';
    if (!ok && !expectedError)
      problems.push(
        `writer ${this.index} #${this.seq} ${op}: ${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`,
      );
    return { res, ok, start, end };
  }

  /** A successful response that does not say what it should is a problem too. */
  require(holds: boolean, op: string, res: CallResult): void {
    if (!holds) problems.push(`writer ${this.index} #${this.seq} ${op}: unexpected body ${JSON.stringify(res.body)}`);
  }

  async step(): Promise<void> {
    this.seq++;
    const op = this.nextOp();
    switch (op) {
      case 'createGlobal':
        return this.createGlobal();
      case 'updateGlobal':
      case 'renameGlobal': {
        const target = this.pick(this.globals.values());
        return target ? this.changeGlobal(op, target) : this.createGlobal();
      }
      case 'deleteGlobal': {
        const target = this.pick(this.globals.values());
        return target ? this.deleteGlobal(target) : this.createGlobal();
      }
      case 'link': {
        const unlinked = [...this.globals.values()].filter((g) => !this.linked.has(g.id));
        const target = this.pick(unlinked.length > 0 && this.rand() < 0.9 ? unlinked : this.globals.values());
        return target ? this.link(target) : this.createGlobal();
      }
      case 'unlink': {
        const target = this.pick(this.linked.values()) ?? this.pick(this.globals.values());
        return target ? this.unlink(target) : this.createGlobal();
      }
      case 'deleteLinkedAsDirect': {
        const target = this.pick(this.linked.values());
        if (!target) return this.list('listSecrets');
        await this.request(op, 'DELETE', `${envPath()}/secrets/${target.id}`, {
          errors: { 404: ['not_found'], 409: ['is_linked'] },
        });
        return;
      }
      case 'createSecret':
        return this.createEntry('secret');
      case 'createVariable':
        return this.createEntry('variable');
      case 'updateSecret':
      case 'renameSecret':
      case 'deleteSecret': {
        const target = this.pick(this.direct.values());
        if (!target) return this.createEntry('secret');
        return op === 'deleteSecret' ? this.deleteEntry('secret', target) : this.changeEntry('secret', op, target);
      }
      case 'updateVariable':
      case 'renameVariable':
      case 'deleteVariable': {
        const target = this.pick(this.variables.values());
        if (!target) return this.createEntry('variable');
        return op === 'deleteVariable'
          ? this.deleteEntry('variable', target)
          : this.changeEntry('variable', op, target);
      }
      case 'listGlobals':
      case 'listSecrets':
      case 'listVariables':
        return this.list(op);
      case 'runtime':
        return this.runtime();
    }
  }

  // ---- global secrets ----

  async createGlobal(): Promise<void> {
    const name = this.name(this.globals.values());
    const isFile = this.rand() < 0.2;
    const value = this.value(isFile);
    const { res, ok, start, end } = await this.request(
      'createGlobal',
      'POST',
      '/api/v1/secrets/',
      { success: 201, errors: { 409: ['name_taken'] } },
      { body: { name, value, ...(isFile ? { isFile } : {}) } },
    );
    if (!ok) return;
    const id = res.body.data.id as string;
    this.require(res.body.data.name === name && res.body.data.isFile === isFile, 'createGlobal', res);
    writes.global.push({ id, value, start, end });
    expectedEvents.push({ actions: ['create'], type: 'global_secret', id, name, environmentId: null });
    this.globals.set(id, { id, name, isFile });
  }

  async changeGlobal(op: 'updateGlobal' | 'renameGlobal', target: Seen): Promise<void> {
    const renaming = op === 'renameGlobal';
    // A rename must not collide with another global secret, nor with an entry where it is linked.
    const used = [...this.globals.values(), ...(this.linked.has(target.id) ? this.entries() : [])];
    const name = renaming ? this.name(used, target.name) : undefined;
    const value = !renaming || this.rand() < 0.3 ? this.value(target.isFile) : undefined;
    const { res, ok, start, end } = await this.request(
      op,
      'PATCH',
      `/api/v1/secrets/${target.id}`,
      {
        success: 200,
        errors: { 404: ['not_found'], 409: renaming ? ['name_taken', 'conflict'] : ['conflict'] },
      },
      { body: { ...(name ? { name } : {}), ...(value ? { value } : {}) } },
    );
    if (res.status === 404) this.forgetGlobal(target.id);
    if (!ok) return;
    const data = res.body.data;
    if (name) this.require(data.name === name, op, res);
    if (value) writes.global.push({ id: target.id, value, start, end });
    // A rename to the name the secret already had (renamed so by another writer) is an update.
    expectedEvents.push({
      actions: renaming ? ['rename', 'update'] : ['update'],
      type: 'global_secret',
      id: target.id,
      name: data.name,
      environmentId: null,
    });
    this.globals.set(target.id, { ...target, name: data.name });
    if (this.linked.has(target.id)) this.linked.set(target.id, { ...target, name: data.name });
  }

  async deleteGlobal(target: Seen): Promise<void> {
    const { res, ok } = await this.request('deleteGlobal', 'DELETE', `/api/v1/secrets/${target.id}`, {
      success: 200,
      errors: { 404: ['not_found'], 409: ['conflict'] },
    });
    if (res.status === 404 || ok) this.forgetGlobal(target.id);
    if (!ok) return;
    expectedEvents.push({
      actions: ['delete'],
      type: 'global_secret',
      id: target.id,
      name: res.body.data.name,
      environmentId: null,
    });
  }

  forgetGlobal(id: string): void {
    this.globals.delete(id);
    this.linked.delete(id);
  }

  async link(target: Seen): Promise<void> {
    const { res, ok } = await this.request(
      'link',
      'POST',
      `${envPath()}/secrets/link/${target.id}`,
      { success: 201, errors: { 404: ['not_found'], 409: ['name_taken', 'already_linked'] } },
      { body: {} },
    );
    if (res.status === 404) this.forgetGlobal(target.id);
    if (!ok) return;
    const link = res.body.data;
    this.require(link.secretId === target.id && link.environmentId === envId, 'link', res);
    expectedEvents.push({
      actions: ['link'],
      type: 'global_secret',
      id: target.id,
      name: link.secretName,
      environmentId: envId,
    });
    this.linked.set(target.id, { ...target, name: link.secretName });
  }

  async unlink(target: Seen): Promise<void> {
    const { res, ok } = await this.request('unlink', 'DELETE', `${envPath()}/secrets/link/${target.id}`, {
      success: 200,
      errors: { 404: ['not_found'] },
    });
    if (res.status === 404 || ok) this.linked.delete(target.id);
    if (!ok) return;
    this.require(res.body.data.secretId === target.id, 'unlink', res);
    expectedEvents.push({
      actions: ['unlink'],
      type: 'global_secret',
      id: target.id,
      name: res.body.data.secretName,
      environmentId: envId,
    });
  }

  // ---- direct secrets and variables ----

  views(kind: 'secret' | 'variable') {
    return kind === 'secret'
      ? { map: this.direct, path: `${envPath()}/secrets`, type: 'environment_secret' }
      : { map: this.variables, path: `${envPath()}/variables`, type: 'variable' };
  }

  async createEntry(kind: 'secret' | 'variable'): Promise<void> {
    const view = this.views(kind);
    const name = this.name(this.entries());
    const isFile = kind === 'secret' && this.rand() < 0.2;
    const value = this.value(isFile);
    const { res, ok, start, end } = await this.request(
      kind === 'secret' ? 'createSecret' : 'createVariable',
      'POST',
      view.path,
      { success: 201, errors: { 409: ['name_taken'] } },
      { body: { name, value, ...(isFile ? { isFile } : {}) } },
    );
    if (!ok) return;
    const id = res.body.data.id as string;
    this.require(res.body.data.name === name, 'create', res);
    writes[kind].push({ id, value, start, end });
    expectedEvents.push({ actions: ['create'], type: view.type, id, name, environmentId: envId });
    view.map.set(id, { id, name, isFile });
  }

  async changeEntry(kind: 'secret' | 'variable', op: Op, target: Seen): Promise<void> {
    const view = this.views(kind);
    const renaming = op === 'renameSecret' || op === 'renameVariable';
    const name = renaming ? this.name(this.entries(), target.name) : undefined;
    const value = !renaming || this.rand() < 0.3 ? this.value(target.isFile) : undefined;
    const { res, ok, start, end } = await this.request(
      op,
      'PATCH',
      `${view.path}/${target.id}`,
      { success: 200, errors: { 404: ['not_found'], 409: renaming ? ['name_taken', 'conflict'] : ['conflict'] } },
      { body: { ...(name ? { name } : {}), ...(value ? { value } : {}) } },
    );
    if (res.status === 404) view.map.delete(target.id);
    if (!ok) return;
    const data = res.body.data;
    if (name) this.require(data.name === name, op, res);
    if (value) writes[kind].push({ id: target.id, value, start, end });
    expectedEvents.push({
      actions: renaming ? ['rename', 'update'] : ['update'],
      type: view.type,
      id: target.id,
      name: data.name,
      environmentId: envId,
    });
    view.map.set(target.id, { ...target, name: data.name });
  }

  async deleteEntry(kind: 'secret' | 'variable', target: Seen): Promise<void> {
    const view = this.views(kind);
    const { res, ok } = await this.request(
      kind === 'secret' ? 'deleteSecret' : 'deleteVariable',
      'DELETE',
      `${view.path}/${target.id}`,
      { success: 200, errors: { 404: ['not_found'] } },
    );
    if (res.status === 404 || ok) view.map.delete(target.id);
    if (!ok) return;
    this.require(res.body.data.id === target.id, 'delete', res);
    expectedEvents.push({
      actions: ['delete'],
      type: view.type,
      id: target.id,
      name: res.body.data.name,
      environmentId: envId,
    });
  }

  // ---- reads ----

  async list(op: 'listGlobals' | 'listSecrets' | 'listVariables'): Promise<void> {
    const path =
      op === 'listGlobals'
        ? '/api/v1/secrets/'
        : op === 'listSecrets'
          ? `${envPath()}/secrets`
          : `${envPath()}/variables`;
    const { res, ok, start, end } = await this.request(op, 'GET', path, { success: 200 });
    if (!ok) return;
    const data = res.body.data as any[];
    if (op === 'listVariables') valueReads.push({ start, end, values: data.map((v) => v.value as string) });
    this.require(res.body.totalCount === data.length, op, res);
    const seen = (d: any): [string, Seen] => [d.id, { id: d.id, name: d.name, isFile: d.isFile === true }];
    if (op === 'listGlobals') replace(this.globals, data.map(seen));
    else if (op === 'listVariables') replace(this.variables, data.map(seen));
    else {
      replace(this.direct, data.filter((d) => d.source === 'environment').map(seen));
      replace(this.linked, data.filter((d) => d.source === 'global-linked').map(seen));
    }
  }

  async runtime(): Promise<void> {
    const jobId = `history-${this.index}-${this.seq}`;
    const { res, ok, start, end } = await this.request(
      'runtime',
      'GET',
      `${envPath()}/runtime`,
      { success: 200 },
      { key: svc.seed.serviceKey, headers: { 'x-job-id': jobId } },
    );
    if (!ok) return;
    runtimeSnapshots.push(res.body.data.env);
    valueReads.push({ start, end, values: Object.values(res.body.data.env) });
    expectedEvents.push({
      actions: ['runtime_read'],
      type: 'environment',
      id: envId,
      name: envName,
      environmentId: envId,
      jobId,
    });
  }
}

function replace(map: Map<string, Seen>, entries: [string, Seen][]): void {
  map.clear();
  for (const [id, seen] of entries) map.set(id, seen);
}

async function readAudit(): Promise<AuditEventLike[]> {
  const events: AuditEventLike[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await svc.call('GET', `/api/v1/audit?${query}`, { key: userKey });
    expect(res.status).toBe(200);
    events.push(...res.body.data);
    cursor = res.body.cursor;
  } while (cursor);
  return events;
}

async function getData(path: string, key = userKey): Promise<any> {
  const res = await svc.call('GET', path, { key });
  expect(res.status).toBe(200);
  return res.body.data;
}

beforeAll(async () => {
  svc = await startTestService();
  userKey = svc.seed.user.apiKey;
  envId = svc.seed.environments.personal.id;
  envName = svc.seed.environments.personal.name;
  ownerKey = `U#${svc.seed.user.id}`;
  baselineEvents = new Set((await readAudit()).map((e) => e.id));

  console.log(`concurrent history: seed ${SEED} (replay with HISTORY_SEED=${SEED})`);
  const began = performance.now();
  const writers = Array.from({ length: WRITERS }, (_, i) => new Writer(i));
  await Promise.all(
    writers.map(async (w) => {
      for (let i = 0; i < OPS_PER_WRITER; i++) await w.step();
    }),
  );
  console.log(
    `concurrent history: ${statuses.length} requests in ${Math.round(performance.now() - began)} ms`,
    tally([...statuses]),
  );

  stored = storedState(await scanTable(svc.deps), envId, ownerKey);
  auditEvents = (await readAudit()).filter((e) => !baselineEvents.has(e.id));
  finalGlobals = await getData('/api/v1/secrets/');
  finalSecrets = await getData(`${envPath()}/secrets`);
  finalVariables = await getData(`${envPath()}/variables`);
  finalRuntime = await svc.call('GET', `${envPath()}/runtime`, { key: svc.seed.serviceKey });
}, 170_000);

describe(`a concurrent history of ${WRITERS} writers × ${OPS_PER_WRITER} operations (HISTORY_SEED=${SEED})`, () => {
  it('answers every request with a status its operation may give, never a 5xx', () => {
    expect(problems).toEqual([]);
    expect(statuses).toHaveLength(WRITERS * OPS_PER_WRITER);
    // The history raced: conflicts and vanished targets happened, and every mutation succeeded at times.
    const counts = tally(statuses.map((s) => s.split(' ').slice(1).join(' ')));
    expect(counts['409 name_taken']).toBeGreaterThan(0);
    expect(counts['404 not_found']).toBeGreaterThan(0);
    const succeeded = new Set(statuses.filter((s) => / 20[01]$/.test(s)).map((s) => s.split(' ')[0]));
    for (const [op] of WEIGHTS) if (op !== 'deleteLinkedAsDirect') expect(succeeded).toContain(op);
  });

  it('leaves storage consistent: one entry per name, links with secret and reverse index, claims, counters', () => {
    expect(storageProblems(stored, envId)).toEqual([]);
  });

  it('lists what the runtime read resolves: the same names, sources and files', () => {
    expect(finalRuntime.status).toBe(200);
    const runtime = finalRuntime.body.data;
    const listed: Record<string, string> = {};
    for (const s of finalSecrets) listed[s.name] = s.source;
    for (const v of finalVariables) listed[v.name] = 'variable';
    expect(Object.keys(listed)).toHaveLength(finalSecrets.length + finalVariables.length);
    expect(runtime.sources).toEqual(listed);
    expect(Object.keys(runtime.env).sort()).toEqual(Object.keys(listed).sort());
    expect([...runtime.files].sort()).toEqual(
      finalSecrets
        .filter((s) => s.isFile)
        .map((s) => s.name)
        .sort(),
    );
    for (const v of finalVariables) expect(runtime.env[v.name]).toBe(v.value);
    // The list routes and the table agree too.
    expect(stored.entries.map((e) => e.name).sort()).toEqual(Object.keys(listed).sort());
    expect(finalGlobals.map((g) => g.id).sort()).toEqual(stored.secrets.map((s) => s.id).sort());
    for (const s of finalSecrets.filter((s) => s.source === 'global-linked'))
      expect(finalGlobals.find((g) => g.id === s.id)?.name).toBe(s.name);
  });

  it('shows each global secret linked exactly where the environment links it', async () => {
    const linked = new Set(stored.entries.filter((e) => e.kind === 'link').map((e) => e.secretId as string));
    for (const global of finalGlobals) {
      const detail = await getData(`/api/v1/secrets/${global.id}`);
      const where = (detail.linkedEnvironments as { id: string }[]).map((e) => e.id);
      expect(where, `${global.name} (${global.id})`).toEqual(linked.has(global.id) ? [envId] : []);
    }
    expect(linked.size).toBeLessThanOrEqual(finalGlobals.length);
  });

  it('opens every value, each the last one written (linearizable), and the runtime read returns them', async () => {
    const allowed = {
      global: allowedFinalValues(writes.global),
      secret: allowedFinalValues(writes.secret),
      variable: allowedFinalValues(writes.variable),
    };
    const wrong: string[] = [];
    const check = (kind: ValueKind, id: string, name: string, value: string) => {
      if (!allowed[kind].get(id)?.has(value))
        wrong.push(`${kind} ${id} (${name}) holds a value that is not its last write`);
    };
    const globalValues = new Map<string, string>();
    for (const secret of stored.secrets) {
      const value = await openStored(svc.deps, ownerKey, secret, { kind: 'global', secretId: secret.id as string });
      globalValues.set(secret.id as string, value);
      check('global', secret.id as string, secret.name as string, value);
    }
    const expectedEnv: Record<string, string> = {};
    for (const entry of stored.entries) {
      const name = entry.name as string;
      if (entry.kind === 'secret') {
        const place = { kind: 'environment' as const, envId, entryId: entry.id as string };
        expectedEnv[name] = await openStored(svc.deps, ownerKey, stored.values.get(entry.id as string)!, place);
        check('secret', entry.id as string, name, expectedEnv[name]);
      } else if (entry.kind === 'variable') {
        expectedEnv[name] = stored.values.get(entry.id as string)!.value as string;
        check('variable', entry.id as string, name, expectedEnv[name]);
      } else {
        expectedEnv[name] = globalValues.get(entry.secretId as string)!;
      }
    }
    expect(wrong).toEqual([]);
    expect(finalRuntime.body.data.env).toEqual(expectedEnv);

    // Every runtime read during the history returned only values some successful write stored.
    const written = new Set([...writes.global, ...writes.secret, ...writes.variable].map((w) => w.value));
    const stray = runtimeSnapshots.flatMap((env) => Object.values(env)).filter((v) => !written.has(v));
    expect(stray).toEqual([]);
    expect(runtimeSnapshots.length).toBeGreaterThan(0);
    // …and none returned a value already overwritten when it began (a lost update leaves one).
    const stale = (['global', 'secret', 'variable'] as const).flatMap((kind) =>
      staleReads(writes[kind], valueReads).map((p) => `${kind}: ${p}`),
    );
    expect(stale).toEqual([]);
  });

  it('records exactly the mutations that succeeded in the audit log, and no value', () => {
    const { missing, unexpected } = auditMismatches(expectedEvents, auditEvents);
    expect({
      missing: tally(missing.map((e) => `${e.actions.join('|')} ${e.type}`)),
      unexpected: tally(unexpected.map((e) => `${e.action} ${e.target.type}`)),
    }).toEqual({ missing: {}, unexpected: {} });
    expect(auditEvents).toHaveLength(expectedEvents.length);
    const text = JSON.stringify(auditEvents);
    expect([...sentValues].filter((v) => text.includes(v))).toEqual([]);
  });
});
