import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliExportLines } from '../../infra/local/cli-exports.js';
import { firstNetworkAddress, freePort, tryConnect } from './addresses.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const dataDir = mkdtempSync(join(tmpdir(), 'prime-start-'));
const running: ChildProcess[] = [];

/** `npm start` as a user runs it (tsx of the same entry), on a free port, with its own data folder. */
async function startStack(port: number): Promise<{ child: ChildProcess; output: () => string; readyMs: number }> {
  const started = Date.now();
  const child = spawn(TSX, ['infra/local/start.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited: ${output}`);
    if (Date.now() - started > 30_000) throw new Error(`not up within 30 s: ${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      if (res.ok) return { child, output: () => output, readyMs: Date.now() - started };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopStack(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

/** DynamoDB Local processes serving this test's data folder. */
const javaProcesses = () =>
  spawnSync('pgrep', ['-f', `DynamoDBLocal.jar.*${dataDir}`], { encoding: 'utf8' }).stdout.trim();

afterAll(async () => {
  for (const child of running) if (child.exitCode === null) await stopStack(child, 'SIGKILL');
});

describe('npm start', () => {
  it('comes up within 30 s, seeds, keeps data across restarts and leaves no Java process behind', async () => {
    const port = await freePort();
    const first = await startStack(port);
    expect(first.readyMs).toBeLessThan(30_000);

    const credentialsFile = join(dataDir, 'dev-credentials.json');
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(credentialsFile, 'utf8'));
    expect(Object.keys(creds).sort()).toEqual(['adminKey', 'baseUrl', 'environments', 'serviceKey', 'team', 'user']);
    expect(Object.keys(creds.user).sort()).toEqual(['accountKey', 'apiKey', 'id', 'runtimeKey', 'slug']);
    expect(creds.baseUrl).toBe(`http://127.0.0.1:${port}`);
    expect(first.output()).toContain(creds.user.apiKey);
    // The lines that point prime at this stack, over whatever ~/.prime/config.json says (test/cli/contexts.test.ts runs them).
    expect(first.output()).toContain(
      cliExportLines(creds)
        .map((line) => `  ${line}\n`)
        .join(''),
    );

    const base = creds.baseUrl;
    const auth = { authorization: `Bearer ${creds.user.apiKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${base}/api/v1/secrets/`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'KEPT', value: 'kept-value' }),
    });
    expect(created.status).toBe(201);
    expect(javaProcesses()).not.toBe('');

    // Its DynamoDB Local takes no connection from the network, only from this machine.
    const { dynamoEndpoint } = JSON.parse(readFileSync(join(dataDir, 'local-stack.json'), 'utf8'));
    const dynamoPort = Number(new URL(dynamoEndpoint).port);
    expect(await tryConnect('127.0.0.1', dynamoPort)).toBe('connected');
    const address = firstNetworkAddress();
    if (address !== undefined) expect(await tryConnect(address, dynamoPort)).toBe('ECONNREFUSED');

    expect(await stopStack(first.child, 'SIGTERM')).toBe(0);
    expect(javaProcesses()).toBe('');

    const second = await startStack(port);
    const list = await fetch(`${base}/api/v1/secrets`, { headers: auth });
    expect(((await list.json()) as { data: { name: string }[] }).data.map((s: { name: string }) => s.name)).toEqual([
      'KEPT',
    ]);
    const runtime = await fetch(`${base}/api/v1/environmentshub/${creds.environments.personal.id}/runtime`, {
      headers: { authorization: `Bearer ${creds.serviceKey}` },
    });
    expect(runtime.status).toBe(200);

    expect(await stopStack(second.child, 'SIGINT')).toBe(0);
    expect(javaProcesses()).toBe('');
  }, 90_000);

  it('create-admin-key works on the local data with the stack stopped', async () => {
    const out = spawnSync(TSX, ['infra/admin.ts', 'create-admin-key', '--name', 'ops'], {
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(out.status).toBe(0);
    const key = /^prime_[A-Za-z0-9_-]{43}$/m.exec(out.stdout)?.[0];
    expect(key).toBeDefined();
    expect(javaProcesses()).toBe('');

    const port = await freePort();
    const stack = await startStack(port);
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/admin/service-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'hosted-training', name: 'ci' }),
    });
    expect(res.status).toBe(201);
    await stopStack(stack.child, 'SIGTERM');
  }, 90_000);
});
