import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLambdaBundles, entryPointOf } from '../../infra/build.js';
import { keys } from '../../shared/data/keys.js';
import { runBundle, v2Event } from '../../test/support/lambda-bundle.js';
import { BENCH_KMS_KEY_ID, startKmsServer } from './bench-kms.js';
import { checkResolved, HIGH_LIMITS, type BenchContext, type Size } from './setup.js';

/**
 * Lambda containers, as near as one machine gets: the runtime function's bundle, built as
 * `npm run build` builds it, imported in a fresh `node` process per container
 * (test/support/lambda-bundle.ts), which hands it API Gateway v2 events one at a time, as
 * Lambda does. It reads the bench's table on DynamoDB Local, with the service key, and reaches
 * KMS through the simulated KMS over HTTP (bench/lib/bench-kms.ts), with its own SDK clients:
 * nothing is shared between containers but the table.
 */

export interface ContainerRun {
  /** From the process's start: when the bundle's import began (Node's own start-up before it). */
  importStartMs: number;
  importMs: number;
  /** Each event's handler call, in turn. */
  invokeMs: number[];
  /** Reads answered other than 200 with the environment's whole set, and a container that died. */
  errors: number;
  failures: string[];
  kmsCalls: number;
  /** The process's resident memory once its last read is answered, in MB. */
  rssMb: number;
  /** GetItems of an API key's item. */
  apiKeyLookups: number;
  calls: Record<string, number>;
}

export interface LambdaRig {
  bundleBytes: number;
  /**
   * One fresh container serving `reads` runtime reads of the environment, one after the other,
   * initialized as Lambda says (`AWS_LAMBDA_INITIALIZATION_TYPE`): on demand unless told otherwise.
   */
  runContainer(reads: number, initialization?: Initialization): Promise<ContainerRun>;
  close(): Promise<void>;
}

/** How Lambda initialized a container: for a request, or ahead of traffic (provisioned concurrency). */
export type Initialization = 'on-demand' | 'provisioned-concurrency';

const RUNTIME_ROUTE = '/api/v1/environmentshub/{envId}/runtime';

const API_KEY_ITEM = keys.apiKey('');
const isApiKeyItem = (key: Record<string, { S?: string }>) =>
  key.sk?.S === API_KEY_ITEM.sk && key.pk?.S?.startsWith(API_KEY_ITEM.pk) === true;

export async function startLambdaRig(ctx: BenchContext, size: Size = 100): Promise<LambdaRig> {
  const outDir = mkdtempSync(join(tmpdir(), 'prime-secrets-bench-lambda-'));
  const kms = await startKmsServer({ latencyMs: ctx.kmsLatencyMs });
  try {
    const [bundle] = await buildLambdaBundles(outDir, { runtime: entryPointOf('runtime') });
    const env = ctx.environments[size];
    const event = v2Event('GET', RUNTIME_ROUTE, `/api/v1/environmentshub/${env.id}/runtime`, {
      authorization: `Bearer ${ctx.seed.serviceKey}`,
      'x-job-id': 'bench-lambda',
    });
    const processEnv = {
      ...HIGH_LIMITS,
      TABLE_NAME: ctx.config.tableName,
      DYNAMODB_ENDPOINT: ctx.config.dynamoEndpoint!,
      KMS_KEY_ID: BENCH_KMS_KEY_ID,
      AWS_ENDPOINT_URL_KMS: kms.url,
      // What Lambda gives a function's role; KMS calls are signed (the simulation does not check).
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
    };
    return {
      bundleBytes: bundle!.bytes,
      runContainer: async (reads, initialization = 'on-demand') => {
        try {
          const run = await runBundle(bundle!.file, Array(reads).fill(event), {
            ...processEnv,
            AWS_LAMBDA_INITIALIZATION_TYPE: initialization,
          });
          const failures: string[] = [];
          for (const result of run.results) {
            try {
              if (result.statusCode !== 200) throw new Error(`${result.statusCode} ${result.body.slice(0, 200)}`);
              checkResolved(JSON.parse(result.body).data.env, env);
            } catch (err) {
              failures.push((err as Error).message);
            }
          }
          const kmsCalls = Object.entries(run.calls)
            .filter(([target]) => target.startsWith('TrentService.'))
            .reduce((sum, [, n]) => sum + n, 0);
          return {
            ...run.timings,
            errors: failures.length,
            failures,
            kmsCalls,
            rssMb: run.memory.rss / 2 ** 20,
            apiKeyLookups: run.getItemKeys.filter(isApiKeyItem).length,
            calls: run.calls,
          };
        } catch (err) {
          // The child's own words: the command line carries the events, the key among them.
          const { stderr, message } = err as Error & { stderr?: string };
          const said = (stderr || message.split('\n')[0]!).slice(-500);
          return {
            importStartMs: NaN,
            importMs: NaN,
            invokeMs: [],
            errors: reads,
            failures: [said],
            kmsCalls: 0,
            rssMb: NaN,
            apiKeyLookups: 0,
            calls: {},
          };
        }
      },
      close: async () => {
        await kms.close();
        rmSync(outDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await kms.close();
    rmSync(outDir, { recursive: true, force: true });
    throw err;
  }
}
