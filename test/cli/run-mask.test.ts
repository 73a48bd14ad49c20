import { beforeAll, describe, expect, it } from 'vitest';
import { useCliHarness, type RunOptions } from './harness.js';

const h = useCliHarness();
const ENV = 'dev/masked';
/** A secret whose base64, URL and JSON forms all differ from it. */
const TOKEN = 'p@ss word/é"x\\-42';
const LINKED = 'linked-global-secret';
const SHORT = 'abc12';
const CERT_TEXT = '-----BEGIN KEY-----\nline\n';
const VARIABLE = 'public value, not a secret';

beforeAll(async () => {
  const { call, seed } = h.svc;
  const key = seed.user.apiKey;
  const created = await call('POST', '/api/v1/environmentshub', { key, body: { name: 'masked' } });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  const add = async (path: string, body: object) => {
    const res = await call('POST', `/api/v1/environmentshub/${id}/${path}`, { key, body });
    expect(res.status).toBe(201);
  };
  await add('secrets', { name: 'TOKEN', value: TOKEN });
  await add('secrets', { name: 'SHORT', value: SHORT });
  await add('secrets', { name: 'CERT', value: Buffer.from(CERT_TEXT).toString('base64'), isFile: true });
  await add('variables', { name: 'PUBLIC_NOTE', value: VARIABLE });
  const global = await call('POST', '/api/v1/secrets/', { key, body: { name: 'LINKED_KEY', value: LINKED } });
  expect(global.status).toBe(201);
  const linked = await h.run(['env', 'secret', 'link', global.body.data.id, ENV]);
  expect(linked.code, linked.stderr).toBe(0);
});

const asRuntime = (options: RunOptions = {}): RunOptions => ({ key: h.svc.seed.user.runtimeKey, ...options });
const masked = (...command: string[]) => ['env', 'run', '--mask', ENV, '--', ...command];
const node = (script: string) => [process.execPath, '-e', script];
const SHORT_WARNING = '--mask: not masking SHORT: values under 6 characters would mask ordinary text.\n';

/**
 * A child that writes TOKEN one character at a time (a write each, some on later ticks), then its
 * encoded forms, the linked secret on stderr, the file's text, the variable and the short secret.
 */
const PRINT_SECRETS = `
const fs = require('node:fs');
const token = process.env.TOKEN;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  process.stdout.write('token=');
  for (const ch of token) { process.stdout.write(ch); await sleep(2); }
  process.stdout.write('\\n');
  console.log('base64=' + Buffer.from(token).toString('base64'));
  console.log('url=' + encodeURIComponent(token));
  console.log('json=' + JSON.stringify({ token }));
  const linked = process.env.LINKED_KEY;
  process.stderr.write('linked=' + linked.slice(0, 7));
  await sleep(20);
  process.stderr.write(linked.slice(7) + '\\n');
  console.log('cert=' + JSON.stringify(fs.readFileSync(process.env.CERT, 'utf8')));
  console.log('note=' + process.env.PUBLIC_NOTE);
  console.log('short=' + process.env.SHORT);
  process.exitCode = 5;
})();
`;

describe('prime env run --mask', () => {
  it('masks secrets and their encoded forms, also split across writes; leaves variables; passes the exit code', async () => {
    const r = await h.run(masked(...node(PRINT_SECRETS)), asRuntime());
    expect(r.code).toBe(5);
    expect(r.stdout).toBe(
      [
        'token=***TOKEN***',
        'base64=***TOKEN***',
        'url=***TOKEN***',
        'json={"token":"***TOKEN***"}',
        'cert="***CERT***"',
        `note=${VARIABLE}`,
        `short=${SHORT}`,
        '',
      ].join('\n'),
    );
    expect(r.stderr).toBe(`${SHORT_WARNING}linked=***LINKED_KEY***\n`);
    // Without --mask, the same command prints the values.
    const plain = await h.run(['env', 'run', ENV, '--', ...node(PRINT_SECRETS)], asRuntime());
    expect(plain.code).toBe(5);
    expect(plain.stdout).toContain(`token=${TOKEN}\n`);
    expect(plain.stderr).toBe(`linked=${LINKED}\n`);
  });

  it('passes a fatal signal through, after letting out what the command wrote', async () => {
    const r = await h.run(
      masked(
        ...node('process.stdout.write(process.env.TOKEN + " bye\\n", () => process.kill(process.pid, "SIGTERM"))'),
      ),
      asRuntime(),
    );
    expect(r.signal).toBe('SIGTERM');
    expect(r.stdout).toBe('***TOKEN*** bye\n');
  });

  it('forwards a signal it receives to the command, whose output is still masked', async () => {
    const handler = `process.on('SIGTERM', () => { console.log('got SIGTERM with', process.env.TOKEN); process.exit(3); });
      console.log('ready'); setInterval(() => {}, 1000);`;
    const running = h.spawn(masked(...node(handler)), asRuntime());
    while (!running.output.stdout.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    running.child.kill('SIGTERM');
    const r = await running.result;
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('ready\ngot SIGTERM with ***TOKEN***\n');
  });

  it('ends when its reader goes away: the command sees a broken pipe, as without the CLI between', async () => {
    const script = `process.stdout.on('error', (e) => { console.error('child: ' + e.code); process.exit(9); });
      setInterval(() => process.stdout.write(process.env.TOKEN + '\\n'), 2);`;
    const running = h.spawn(masked(...node(script)), asRuntime());
    while (!running.output.stdout.includes('***TOKEN***')) await new Promise((r) => setTimeout(r, 20));
    running.child.stdout?.destroy();
    const r = await running.result;
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('child: EPIPE');
  });

  it('keeps the terminal as input and says why the output is no terminal', async () => {
    const script = `process.stdout.write('tty: ' + process.stdin.isTTY + ' ' + process.stdout.isTTY + ' name? ');
      process.stdin.once('data', (d) => { console.log('hello ' + d.toString().trim() + ' ' + process.env.TOKEN); process.exit(0); });`;
    const r = await h.runInPty(masked(...node(script)), [{ expect: 'name? ', send: 'world\r' }], asRuntime());
    expect(r.code).toBe(0);
    expect(r.transcript).toContain(
      "--mask: the command's output goes through a pipe (to be masked), so it does not see a terminal",
    );
    expect(r.transcript).toContain('tty: true undefined name? ');
    expect(r.transcript).toContain('hello world ***TOKEN***');
    expect(r.transcript).not.toContain(TOKEN);
  });
});
