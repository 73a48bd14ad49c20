import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ATTEMPT_TIMEOUT_MS, boundToDeadline, DeadlineReached, withDeadline } from '../../shared/deadline.js';
import { isDependencyUnavailable } from '../../shared/dependency-failure.js';
import { isWrite } from '../../shared/storage/client.js';

/**
 * The request's deadline on dependency calls, at the seam where the SDK clients take it. The
 * real clients against a late and a paused DynamoDB: test/reliability/faults.test.ts.
 */

class Read {}
class Write {}

/** A client that records what each call was sent with; `hang` calls end only by their abort signal. */
function recordingClient(hang = false) {
  const sent: { command: object; options: { abortSignal?: AbortSignal } | undefined }[] = [];
  const client = {
    send(command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown> {
      sent.push({ command, options });
      if (!hang) return Promise.resolve('answer');
      return new Promise((_, reject) =>
        options?.abortSignal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
        ),
      );
    },
  };
  return { client: boundToDeadline(client, (command) => command instanceof Write), sent };
}

describe('the request deadline', () => {
  it('leaves calls outside a request as they were', async () => {
    const { client, sent } = recordingClient();
    await client.send(new Write());
    expect(sent).toEqual([{ command: expect.any(Write), options: undefined }]);
  });

  it('gives every call of a request its abort signal', async () => {
    const { client, sent } = recordingClient();
    await withDeadline(8_000, async () => {
      await client.send(new Read());
      await client.send(new Write());
    });
    expect(sent).toHaveLength(2);
    for (const { options } of sent) {
      expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
      expect(options?.abortSignal?.aborted).toBe(false);
    }
  });

  it('starts no write with less than one attempt left, but still reads', async () => {
    const { client, sent } = recordingClient();
    await withDeadline(ATTEMPT_TIMEOUT_MS - 1, async () => {
      const refused = await client.send(new Write()).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(DeadlineReached);
      expect(isDependencyUnavailable(refused)).toBe(true);
      expect(await client.send(new Read())).toBe('answer');
    });
    expect(sent.map((s) => s.command)).toEqual([expect.any(Read)]);
  });

  it('ends a call in flight when the deadline comes, as a dependency unavailable', async () => {
    const { client } = recordingClient(true);
    const err = await withDeadline(5, () => client.send(new Read())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineReached);
    // Once it has passed, nothing more is sent.
    const { client: after, sent } = recordingClient();
    await withDeadline(0, async () => {
      await new Promise((done) => setTimeout(done, 5));
      await expect(after.send(new Read())).rejects.toBeInstanceOf(DeadlineReached);
    });
    expect(sent).toEqual([]);
  });
});

describe("the DynamoDB client's writes, which the deadline never cuts in their first attempt", () => {
  const TableName = 't';
  const Key = { pk: 'p', sk: 's' };

  it("are every command but the service's reads, a write command it may send one day included", () => {
    const writes = [
      new PutCommand({ TableName, Item: Key }),
      new UpdateCommand({ TableName, Key }),
      new DeleteCommand({ TableName, Key }),
      new TransactWriteCommand({ TransactItems: [] }),
      new BatchWriteCommand({ RequestItems: {} }),
    ];
    const reads = [
      new GetCommand({ TableName, Key }),
      new QueryCommand({ TableName }),
      new BatchGetCommand({ RequestItems: {} }),
    ];
    expect(writes.map(isWrite)).toEqual(writes.map(() => true));
    expect(reads.map(isWrite)).toEqual(reads.map(() => false));
    // Reads it does not make are kept whole too: only a read known to be one may be cut.
    expect(isWrite(new ScanCommand({ TableName }))).toBe(true);
    expect(isWrite(new TransactGetCommand({ TransactItems: [] }))).toBe(true);
  });
});
