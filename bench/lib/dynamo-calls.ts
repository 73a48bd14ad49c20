import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One DynamoDB call as the SDK saw it, from `send` to its answer (retries included). */
export interface DynamoCall {
  command: string;
  start: number;
  end: number;
}

/**
 * Records the calls made on a DynamoDB client while `recording` is on, with a middleware at
 * the SDK's first step.
 */
export class DynamoCallRecorder {
  private recording = false;
  private log: DynamoCall[] = [];

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.recording) return next(args);
        const call: DynamoCall = {
          command: (context.commandName ?? 'unknown').replace(/Command$/, ''),
          start: performance.now(),
          end: Infinity,
        };
        this.log.push(call);
        try {
          return await next(args);
        } finally {
          call.end = performance.now();
        }
      },
      { step: 'initialize', name: 'benchDynamoCalls' },
    );
  }

  async during<T>(fn: () => Promise<T>): Promise<{ result: T; calls: DynamoCall[] }> {
    this.log = [];
    this.recording = true;
    try {
      const result = await fn();
      return { result, calls: this.log };
    } finally {
      this.recording = false;
    }
  }
}

/**
 * Sequential rounds: calls grouped while their [start, end] intervals overlap (a call that
 * starts before every earlier call has ended joins their round).
 */
export function sequentialRounds(calls: readonly DynamoCall[]): string[][] {
  const rounds: string[][] = [];
  let roundEnd = -Infinity;
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    if (call.start > roundEnd) rounds.push([]);
    rounds.at(-1)!.push(call.command);
    roundEnd = Math.max(roundEnd, call.end);
  }
  return rounds;
}
