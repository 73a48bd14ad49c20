import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  JavaMissingError,
  parseJavaMajor,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '../../infra/local/dynamodb-local.js';
import { ensureTable } from '../../infra/local/ensure-table.js';
import { TABLE } from '../../shared/storage/table-definition.js';
import { createTestTable, localClient } from '../support/table.js';
import { firstNetworkAddress, NO_NETWORK_ADDRESS, tryConnect } from './addresses.js';

/**
 * Tests that start Java two or three times: about 15 s on an idle machine, twice that on a
 * loaded one, so they get a budget of their own instead of the suite's 30 s.
 */
const JAVA_STARTS_TIMEOUT = 90_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

async function fakeJava(dir: string, body: string): Promise<void> {
  const file = join(dir, 'java');
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}

/** Runs `fn` with PATH set to `dir` only (spawn looks java up in process.env.PATH), then restores it. */
async function withPath(dir: string, fn: () => Promise<void>): Promise<void> {
  const savedPath = process.env.PATH;
  process.env.PATH = dir;
  try {
    await fn();
  } finally {
    process.env.PATH = savedPath;
  }
}

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ddb-local-test-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('ensureTable', () => {
  it('creates the table with the keys, GSI and TTL of TABLE, and reports an existing one', async () => {
    const { client, tableName } = await createTestTable();

    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    const gsi = table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === TABLE.index.name);
    expect(gsi?.KeySchema).toEqual([
      { AttributeName: TABLE.index.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.index.sortKey, KeyType: 'RANGE' },
    ]);
    expect(gsi?.Projection?.ProjectionType).toBe('INCLUDE');
    expect(new Set(gsi?.Projection?.NonKeyAttributes)).toEqual(new Set(TABLE.index.projected));

    const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl?.AttributeName).toBe(TABLE.ttlAttribute);
    expect(ttl?.TimeToLiveStatus).toMatch(/^ENABL(ED|ING)$/);

    await expect(ensureTable(client, tableName)).resolves.toBe('exists');
    client.destroy();
  });

  it('returns created for a new table and handles concurrent callers', async () => {
    const { client } = await createTestTable();
    const tableName = `test-concurrent-${Date.now()}`;
    const results = await Promise.all([ensureTable(client, tableName), ensureTable(client, tableName)]);
    expect(results.sort()).toEqual(['created', 'exists']);
    client.destroy();
  });
});

describe('startDynamoDbLocal', () => {
  it(
    'keeps data across stop/start with dbPath, and stop() leaves no java process',
    async () => {
      const dbPath = join(await tempDir(), 'nested', 'data');
      const tableName = 'persisted';
      const item = { pk: { S: 'p#1' }, sk: { S: 's#1' }, value: { S: 'kept' } };

      let first: DynamoDbLocal | undefined;
      let second: DynamoDbLocal | undefined;
      try {
        first = await startDynamoDbLocal({ dbPath });
        const client = localClient(first.endpoint);
        await expect(ensureTable(client, tableName)).resolves.toBe('created');
        await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
        client.destroy();

        const pid = first.pid;
        expect(isAlive(pid)).toBe(true);
        await first.stop();
        expect(isAlive(pid)).toBe(false);
        await first.stop(); // idempotent

        // Another region and other credentials: -sharedDb makes them see the same data.
        second = await startDynamoDbLocal({ dbPath });
        const otherRegion = new DynamoDBClient({
          endpoint: second.endpoint,
          region: 'eu-west-1',
          credentials: { accessKeyId: 'someone', secretAccessKey: 'else' },
        });
        await expect(ensureTable(otherRegion, tableName)).resolves.toBe('exists');
        const { Item } = await otherRegion.send(
          new GetItemCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
        );
        expect(Item).toEqual(item);
        otherRegion.destroy();

        await second.stop();
        expect(isAlive(second.pid)).toBe(false);
      } finally {
        await first?.stop();
        await second?.stop();
      }
    },
    JAVA_STARTS_TIMEOUT,
  );

  it(
    'uses the given port',
    async () => {
      const probe = await startDynamoDbLocal({ inMemory: true });
      const port = probe.port;
      await probe.stop();

      const local = await startDynamoDbLocal({ inMemory: true, port, host: 'localhost' });
      try {
        expect(local.port).toBe(port);
        expect(local.endpoint).toBe(`http://localhost:${port}`);
        // The port is taken now: a second instance must fail instead of talking to the first.
        await expect(startDynamoDbLocal({ inMemory: true, port })).rejects.toThrow(/port/);
      } finally {
        await local.stop();
      }
    },
    JAVA_STARTS_TIMEOUT,
  );

  it('listens on 127.0.0.1 only: a connection through the machine’s network address is refused', async (ctx) => {
    const address = firstNetworkAddress();
    if (address === undefined) return ctx.skip(NO_NETWORK_ADDRESS);
    // The run's own DynamoDB Local (test/support/global-setup.ts), started by the same function as npm start's.
    const port = Number(new URL(inject('dynamoEndpoint')).port);
    expect(await tryConnect('127.0.0.1', port)).toBe('connected');
    expect(await tryConnect(address, port)).toBe('ECONNREFUSED');
  });

  it('refuses a data path with a line break: the launcher takes the arguments one per line', async () => {
    const dbPath = join(await tempDir(), 'two\nlines');
    await expect(startDynamoDbLocal({ dbPath })).rejects.toThrow(/cannot contain a line break/);
  });

  it('throws JavaMissingError when java is not on PATH', async () => {
    await withPath(await tempDir(), async () => {
      const attempt = startDynamoDbLocal({ inMemory: true });
      await expect(attempt).rejects.toBeInstanceOf(JavaMissingError);
      await expect(attempt).rejects.toThrow(
        /Java 17\+[\s\S]*apt-get install -y openjdk-17-jre-headless[\s\S]*brew install openjdk@17/,
      );
    });
  });

  it('throws JavaMissingError for a Java older than 17', async () => {
    const dir = await tempDir();
    await fakeJava(dir, 'echo \'openjdk version "11.0.2" 2019-01-15\' >&2');
    await withPath(dir, async () => {
      await expect(startDynamoDbLocal({ inMemory: true })).rejects.toThrow(/found Java 11/);
    });
  });

  it('rejects with the output tail when the child exits before it is ready', async () => {
    const dir = await tempDir();
    await fakeJava(
      dir,
      'if [ "$1" = "-version" ]; then echo \'openjdk version "17.0.1"\' >&2; exit 0; fi\necho "could not start: bad things" >&2\nexit 3',
    );
    await withPath(dir, async () => {
      await expect(startDynamoDbLocal({ inMemory: true })).rejects.toThrow(
        /exit code 3[\s\S]*could not start: bad things/,
      );
    });
  });

  it('reads Java major versions', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('java version "1.8.0_292"')).toBe(8);
    expect(parseJavaMajor('nonsense')).toBeUndefined();
  });
});
