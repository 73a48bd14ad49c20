/**
 * `npm run bench`: the benchmarks, in one run. Prints a markdown table of every
 * figure and ratio and writes them to bench/results/latest.json (git-ignored).
 *
 *   npm run bench -- [--kms-latency-ms 5] [--only floor,calls,per-value,storm,audit,key-limit,read-units,crypto,bundles,cold-invoke,lambda-storm]
 *
 * Timings are medians and p99s over many runs; every ratio compares series measured in this
 * run, interleaved (A, B, A, B, … with the order rotating), so drift of a shared machine
 * weighs on both sides alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLambdaRig } from './lib/containers.js';
import { createBenchContext, SIZES, type Size } from './lib/setup.js';
import { round, type Summary } from './lib/stats.js';
import { measureAuditFilter, type AuditFilterFigures } from './measure/audit-filter.js';
import { measureBundles, SDK_ONLY, type BundleFigures } from './measure/bundles.js';
import { measureReadUnits, type ReadUnitFigures } from './measure/read-units.js';
import { measureCalls, type CallsBySize } from './measure/calls.js';
import { measureColdInvoke, type ColdInvokeFigures } from './measure/cold-invoke.js';
import type { Initialization } from './lib/containers.js';
import { measureCrypto, type CryptoFigures } from './measure/crypto.js';
import { measureKeyLimit, type KeyLimitFigures } from './measure/key-limit.js';
import { measureLambdaStorm, type LambdaStormFigures } from './measure/lambda-storm.js';
import { measurePerValueKeys, type PerValueFigures } from './measure/per-value-keys.js';
import { measureRuntimeVsFloor, type FloorFigures } from './measure/runtime-vs-floor.js';
import { measureStorm, type StormFigures } from './measure/storm.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ALL = [
  'floor',
  'calls',
  'per-value',
  'storm',
  'audit',
  'key-limit',
  'read-units',
  'crypto',
  'bundles',
  'cold-invoke',
  'lambda-storm',
] as const;
type Part = (typeof ALL)[number];

const { values: flags } = parseArgs({
  options: {
    'kms-latency-ms': { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const kmsLatencyMs = Number(flags['kms-latency-ms']);
if (!Number.isFinite(kmsLatencyMs) || kmsLatencyMs < 0) throw new Error('--kms-latency-ms takes a number of ms ≥ 0');
const parts = new Set<Part>(flags.only ? (flags.only.split(',') as Part[]) : ALL);
for (const part of parts) if (!ALL.includes(part)) throw new Error(`unknown part ${part}; one of ${ALL.join(', ')}`);

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const started = performance.now();
const loadAtStart = loadavg()[0]!;
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

function machine() {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    java: /version "([^"]+)"/.exec(`${java.stderr}${java.stdout}`)?.[1] ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    /** 1-minute load averages: other work on a shared machine shows here. */
    loadAverage: { atStart: round(loadAtStart, 1), atEnd: round(loadavg()[0]!, 1) },
  };
}

// ---- measure ----

let crypto: CryptoFigures | undefined;
let bundles: BundleFigures[] | undefined;
let floor: Record<Size, FloorFigures> | undefined;
let calls: CallsBySize | undefined;
let perValue: PerValueFigures | undefined;
let storm: StormFigures | undefined;
let auditFilter: AuditFilterFigures | undefined;
let readUnits: ReadUnitFigures | undefined;
let keyLimit: KeyLimitFigures[] | undefined;
let coldInvoke: Record<Initialization, ColdInvokeFigures> | undefined;
let lambdaStorm: LambdaStormFigures | undefined;

// CPU-only parts first, while DynamoDB Local is not running.
if (parts.has('crypto')) {
  log('crypto: seal and open 1,000 values of 1 KiB');
  crypto = measureCrypto();
}
if (parts.has('bundles')) {
  log('bundles: building, then cold imports in fresh processes');
  bundles = await measureBundles();
}

if (ALL.some((part) => part !== 'crypto' && part !== 'bundles' && parts.has(part))) {
  const ctx = await createBenchContext({ kmsLatencyMs, log });
  try {
    if (parts.has('floor')) {
      log(`runtime read vs storage floor (${elapsed()})`);
      floor = await measureRuntimeVsFloor(ctx, ctx.config);
    }
    if (parts.has('calls')) {
      log(`calls per runtime read (${elapsed()})`);
      calls = await measureCalls(ctx);
    }
    if (parts.has('per-value')) {
      log(`per-value data keys vs ours, KMS latency ${kmsLatencyMs} ms (${elapsed()})`);
      perValue = await measurePerValueKeys(ctx);
    }
    if (parts.has('storm')) {
      log(`job-start storm (${elapsed()})`);
      storm = await measureStorm(ctx);
    }
    if (parts.has('cold-invoke') || parts.has('lambda-storm')) {
      log(`Lambda containers: building the runtime bundle (${elapsed()})`);
      const rig = await startLambdaRig(ctx);
      try {
        if (parts.has('cold-invoke')) {
          log(`a container's first runtime read against its later ones (${elapsed()})`);
          coldInvoke = await measureColdInvoke(rig);
        }
        if (parts.has('lambda-storm')) {
          log(`1,000 runtime reads over 50 containers (${elapsed()})`);
          lambdaStorm = await measureLambdaStorm(rig);
        }
      } finally {
        await rig.close();
      }
    }
    if (parts.has('read-units')) {
      log(`read units per operation, 100 values of 64 KB (${elapsed()})`);
      readUnits = await measureReadUnits(ctx);
    }
    if (parts.has('audit')) {
      log(`audit log filtered by environment, 10,000 events (${elapsed()})`);
      auditFilter = await measureAuditFilter(ctx);
    }
    if (parts.has('key-limit')) {
      log(`a user key's count in the table, on management requests (${elapsed()})`);
      keyLimit = await measureKeyLimit(ctx);
    }
  } finally {
    await ctx.close();
  }
}

// ---- report ----

const ms = (x: number) => x.toFixed(2);
const bySize = <T>(f: (size: Size) => T) =>
  Object.fromEntries(SIZES.map((s) => [String(s), f(s)])) as Record<string, T>;
const lines: string[] = [];
const host = machine();
lines.push(
  `# Benchmarks`,
  '',
  `${host.cpus} CPUs (${host.cpuModel}), ${host.memoryGiB} GiB, Node ${host.node}, Java ${host.java}, ` +
    `DynamoDB Local in memory on the same machine; KMS simulated in process, ${kmsLatencyMs} ms a call. ` +
    `Load average ${host.loadAverage.atStart} at the start, ${host.loadAverage.atEnd} at the end.`,
  '',
);

if (floor) {
  lines.push(
    '## Runtime read vs storage floor (warm caches)',
    '',
    'HTTP: `GET …/runtime` with the service key through the local server. Floor: the same Query + BatchGetItem on DynamoDB Local, nothing else. Target: ratio ≤ 1.5 at N = 100.',
    '',
    '| N | runs | HTTP median ms | HTTP p99 ms | floor median ms | floor p99 ms | ratio (of medians) | median of per-run ratios |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...SIZES.map((s) => {
      const f = floor![s];
      return `| ${s} | ${f.iterations} | ${ms(f.httpMs.median)} | ${ms(f.httpMs.p99)} | ${ms(f.floorMs.median)} | ${ms(f.floorMs.p99)} | **${f.ratio.toFixed(2)}** | ${f.ratioOfPairs.toFixed(2)} |`;
    }),
    '',
    'Where the difference goes (medians of the same interleaved runs, ms):',
    '',
    '| N | floor | + audit PutItem beside the batch (the audited floor) | service read in process | full HTTP read | **HTTP ÷ audited floor** (target ≤ 1.2 at N = 100) | ratio without HTTP (in process ÷ floor) | two floors at once (÷ floor) | pre-flight check, HTTP (÷ floor) | read with a runtime token, HTTP (÷ floor) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...SIZES.map((s) => {
      const f = floor![s];
      const ofFloor = (x: Summary) => (x.median / f.floorMs.median).toFixed(2);
      return `| ${s} | ${ms(f.floorMs.median)} | ${ms(f.floorWithAuditMs.median)} | ${ms(f.inProcessMs.median)} | ${ms(f.httpMs.median)} | **${f.ratioToAuditedFloor.toFixed(2)}** | ${ofFloor(f.inProcessMs)} | ${ms(f.twoFloorsAtOnceMs.median)} (${ofFloor(f.twoFloorsAtOnceMs)}) | ${ms(f.checkMs.median)} (${ofFloor(f.checkMs)}) | ${ms(f.tokenMs.median)} (${ofFloor(f.tokenMs)}) |`;
    }),
    '',
  );
}
if (calls) {
  const cell = (c: CallsBySize[Size]['cold']) =>
    `${c.dynamoTotal} (${Object.entries(c.dynamoCalls)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}) | ${c.sequentialRoundTrips} | ${c.kmsCalls}`;
  lines.push(
    '## Calls per runtime read',
    '',
    'Counted by SDK middleware. Sequential rounds: calls whose [start, end] intervals overlap. Target: 2 sequential, KMS ≤ 1 cold and 0 warm, whatever N.',
    '',
    '| N | cold: DynamoDB calls | cold: sequential | cold: KMS | warm: DynamoDB calls | warm: sequential | warm: KMS |',
    '| ---: | --- | ---: | ---: | --- | ---: | ---: |',
    ...SIZES.map((s) => `| ${s} | ${cell(calls![s].cold)} | ${cell(calls![s].warm)} |`),
    '',
  );
}
if (perValue) {
  const p = perValue;
  lines.push(
    `## Per-value data keys vs ours (N = ${p.size}, KMS ${p.kmsLatencyMs} ms a call, in process)`,
    '',
    '| model | KMS calls per read | median ms | p99 ms | per-value ÷ this |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| per-value keys (one Decrypt per value, in parallel) | ${p.kmsCallsPerRead.perValue} | ${ms(p.perValueMs.median)} | ${ms(p.perValueMs.p99)} | 1.00 |`,
    `| ours, warm cache | ${p.kmsCallsPerRead.oursWarm} | ${ms(p.oursWarmMs.median)} | ${ms(p.oursWarmMs.p99)} | **${p.ratioWarm.toFixed(2)}** |`,
    `| ours, cold cache | ${p.kmsCallsPerRead.oursCold} | ${ms(p.oursColdMs.median)} | ${ms(p.oursColdMs.p99)} | ${p.ratioCold.toFixed(2)} |`,
    '',
  );
}
if (storm) {
  lines.push(
    `## Job-start storm (N = ${storm.size}, ${storm.runs[0]?.requests ?? 0} concurrent reads, fresh instance each run)`,
    '',
    '| run | rps | p50 ms | p90 ms | p99 ms | max ms | errors | KMS calls | DynamoDB calls |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...storm.runs.map(
      (r, i) =>
        `| ${i + 1} | ${r.rps.toFixed(0)} | ${r.p50Ms} | ${r.p90Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.errors} | ${r.kmsCalls} | ${Object.entries(
          r.dynamoCalls,
        )
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')} |`,
    ),
    `| **median** | **${storm.rps.toFixed(0)}** | **${storm.p50Ms}** | | **${storm.p99Ms}** | | **${storm.errors}** | **${storm.kmsCalls}** | |`,
    '',
  );
}
if (readUnits) {
  const r = readUnits.readUnits;
  lines.push(
    `## Read units per operation (${readUnits.entries} direct secrets of ${readUnits.valueBytes / 1024} KiB, DynamoDB's ConsumedCapacity, warm caches)`,
    '',
    '| PATCH of one description | list of the secrets | runtime read | PATCH ÷ runtime |',
    '| ---: | ---: | ---: | ---: |',
    `| ${r.patch} | ${r.list} | ${r.runtime} | **${(r.patch / r.runtime).toFixed(3)}** |`,
    '',
    `Runtime read of the 500-entry environment: ${readUnits.runtimeAt500.queried} read units queried, **${readUnits.runtimeAt500.kept}** by a container that kept its partition; its audit event ${readUnits.runtimeAt500.auditWriteUnits} write units (the versions named once, apart: a container that has not seen that set yet reads ${readUnits.runtimeAt500.setLookedUp.read} units and writes ${readUnits.runtimeAt500.setLookedUp.write}).`,
    '',
  );
}
if (auditFilter) {
  const a = auditFilter;
  lines.push(
    `## Audit log by environment (${a.events} events of one owner over ${a.environments} environments, ${a.iterations} runs)`,
    '',
    '| listing | median ms | p99 ms |',
    '| --- | ---: | ---: |',
    `| first event, unfiltered (\`limit=1\`) | ${ms(a.unfilteredMs.median)} | ${ms(a.unfilteredMs.p99)} |`,
    `| an unknown environment (\`environmentId=…&limit=1\`) | ${ms(a.unknownEnvironmentMs.median)} | ${ms(a.unknownEnvironmentMs.p99)} |`,
    `| a page of one environment (\`limit=50\`) | ${ms(a.environmentPageMs.median)} | ${ms(a.environmentPageMs.p99)} |`,
    '',
    `Unknown environment ÷ unfiltered: **${a.ratio.toFixed(2)}**.`,
    '',
  );
}
if (keyLimit) {
  const rounds = (r: string[][]) => r.map((round) => round.join(' + ')).join(' → ');
  lines.push(
    "## A user key's count in the table, on management requests",
    '',
    "HTTP with the seeded user's key: an instance counting the key in the table (as deployed), and one keeping its bucket in process only (as before), interleaved.",
    '',
    '| request | in process, median / p99 ms | counted in the table, median / p99 ms | **ratio** (median of per-run ratios) | DynamoDB calls, in process | counted |',
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...keyLimit.map(
      (k) =>
        `| ${k.request} | ${ms(k.inProcessMs.median)} / ${ms(k.inProcessMs.p99)} | ${ms(k.countedMs.median)} / ${ms(k.countedMs.p99)} | **${k.ratio.toFixed(2)}** (${k.ratioOfPairs.toFixed(2)}) | ${rounds(k.calls.inProcess)} | ${rounds(k.calls.counted)} |`,
    ),
    '',
  );
}
if (crypto) {
  lines.push(
    `## Envelope crypto alone (${crypto.values} values of ${crypto.valueBytes} B, ${crypto.rounds} rounds)`,
    '',
    '| operation | median µs/op | p99 µs/op | µs/op over a round of 1,000 (median round) |',
    '| --- | ---: | ---: | ---: |',
    `| seal | ${crypto.sealUs.median.toFixed(1)} | ${crypto.sealUs.p99.toFixed(1)} | ${crypto.sealRoundUsPerOp.toFixed(1)} |`,
    `| open | ${crypto.openUs.median.toFixed(1)} | ${crypto.openUs.p99.toFixed(1)} | ${crypto.openRoundUsPerOp.toFixed(1)} |`,
    '',
  );
}
if (bundles) {
  lines.push(
    '## Lambda bundles',
    '',
    'Cold import in a fresh process against a bundle of the AWS SDK clients alone (`sdk-only`), built alike and interleaved. Target: runtime ≤ 1.15.',
    '',
    '| bundle | size KiB | gzip KiB | cold import median ms | p99 ms | **÷ SDK only** | import CPU median ms | CPU ÷ SDK only | process spawn→exit median ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...bundles.map(
      (b) =>
        `| ${b.resource} | ${(b.bytes / 1024).toFixed(0)} | ${(b.gzipBytes / 1024).toFixed(0)} | ${ms(b.importMs.median)} | ${ms(b.importMs.p99)} | **${b.importVsSdk.toFixed(2)}** | ${ms(b.importCpuMs.median)} | ${b.importCpuVsSdk.toFixed(2)} | ${ms(b.processMs.median)} |`,
    ),
    '',
  );
}
/** The medians `bench/results/latest.json` keeps of a kind of container. */
const coldInvokeMedians = (f: ColdInvokeFigures) => ({
  importMedian: round(f.importMs.median),
  firstMedian: round(f.firstInvokeMs.median),
  warmMedian: round(f.warmInvokeMs.median),
  processStartToFirstAnswerMedian: round(f.coldStartMs.median),
  rssMedianMb: round(f.rssMb.median),
});

if (coldInvoke) {
  const c = coldInvoke['on-demand'];
  const row = (label: string, f: ColdInvokeFigures) =>
    `| ${label} | ${ms(f.importMs.median)} / ${ms(f.importMs.p99)} | ${ms(f.firstInvokeMs.median)} / ${ms(f.firstInvokeMs.p99)} | ${ms(f.warmInvokeMs.median)} / ${ms(f.warmInvokeMs.p99)} | ${ms(f.coldStartMs.median)} / ${ms(f.coldStartMs.p99)} | **${f.ratio.toFixed(2)}** (${f.ratioOfPairs.toFixed(2)}) | ${f.rssMb.median.toFixed(0)} / ${f.rssMb.p99.toFixed(0)} | ${f.errors} |`;
  lines.push(
    `## A runtime container's first read against its later ones (N = 100, ${c.containers} fresh processes of each kind, one after the other, ${c.readsPerContainer} reads each)`,
    '',
    '| container | import ms (with its warm-up) | first read ms | later reads ms | process start → first answer ms | **first ÷ later** (median of per-container ratios) | resident memory after its reads, median / p99 MB | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('on demand', c),
    row('initialized ahead (provisioned concurrency)', coldInvoke['provisioned-concurrency']),
    '',
    'Each time: median / p99. A container initialized ahead makes its first DynamoDB call while it starts (shared/services/warm-up.ts). Its kept copies (shared/services/environment-partitions.ts) may add at most 64 MB of values to its memory.',
    '',
  );
}
if (lambdaStorm) {
  const l = lambdaStorm;
  lines.push(
    `## Job-start storm over Lambda containers (N = 100, ${l.reads} reads over ${l.containers} fresh processes, ${l.parallel} at a time, one request at a time each)`,
    '',
    '| p50 ms | p99 ms | first reads (container start included), median / p99 ms | later reads, median / p99 ms | errors | KMS calls (most in a container) | key look-ups (most in a container) | wall s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| **${ms(l.latencyMs.median)}** | **${ms(l.latencyMs.p99)}** | ${ms(l.coldReadMs.median)} / ${ms(l.coldReadMs.p99)} | ${ms(l.warmReadMs.median)} / ${ms(l.warmReadMs.p99)} | **${l.errors}** | ${l.kmsCalls} (${l.kmsCallsPerContainer}) | ${l.apiKeyLookups} (${l.apiKeyLookupsPerContainer}) | ${(l.wallMs / 1000).toFixed(1)} |`,
    '',
    ...(l.failures.length ? ['Failures:', '', ...l.failures.map((f) => `- ${f}`), ''] : []),
  );
}
lines.push(`Total run time: ${elapsed()}.`);
console.log(lines.join('\n'));

const results = {
  ...(floor
    ? {
        runtimeVsFloor: bySize((s) => round(floor![s].ratio, 3)),
        runtimeVsAuditedFloor: bySize((s) => round(floor![s].ratioToAuditedFloor, 3)),
      }
    : {}),
  ...(calls
    ? {
        sequentialRoundTrips: bySize((s) =>
          Math.max(calls![s].cold.sequentialRoundTrips, calls![s].warm.sequentialRoundTrips),
        ),
        kmsCallsCold: Math.max(...SIZES.map((s) => calls![s].cold.kmsCalls)),
        kmsCallsWarm: Math.max(...SIZES.map((s) => calls![s].warm.kmsCalls)),
      }
    : {}),
  ...(perValue ? { perValueKeyRatio: round(perValue.ratioWarm, 3) } : {}),
  ...(auditFilter ? { auditFilterVsUnfiltered: round(auditFilter.ratio, 3) } : {}),
  ...(readUnits ? { readUnits: readUnits.readUnits, runtimeReadUnitsAt500: readUnits.runtimeAt500 } : {}),
  ...(keyLimit ? { keyLimitRatio: Object.fromEntries(keyLimit.map((k) => [k.request, round(k.ratio, 3)])) } : {}),
  ...(storm
    ? {
        storm: {
          rps: round(storm.rps, 1),
          p50Ms: storm.p50Ms,
          p99Ms: storm.p99Ms,
          errors: storm.errors,
          kmsCalls: storm.kmsCalls,
        },
      }
    : {}),
  ...(bundles || coldInvoke || lambdaStorm
    ? {
        lambda: {
          ...(bundles
            ? {
                coldImportVsSdk: Object.fromEntries(
                  bundles.filter((b) => b.resource !== SDK_ONLY).map((b) => [b.resource, round(b.importVsSdk, 3)]),
                ),
                coldImportCpuVsSdk: Object.fromEntries(
                  bundles.filter((b) => b.resource !== SDK_ONLY).map((b) => [b.resource, round(b.importCpuVsSdk, 3)]),
                ),
                bundleBytes: Object.fromEntries(bundles.map((b) => [b.resource, b.bytes])),
              }
            : {}),
          ...(coldInvoke
            ? {
                coldInvokeVsWarm: {
                  runtime: round(coldInvoke['on-demand'].ratio, 3),
                  runtimeInitializedAhead: round(coldInvoke['provisioned-concurrency'].ratio, 3),
                },
                coldInvokeMs: {
                  runtime: coldInvokeMedians(coldInvoke['on-demand']),
                  runtimeInitializedAhead: coldInvokeMedians(coldInvoke['provisioned-concurrency']),
                },
              }
            : {}),
          ...(lambdaStorm
            ? {
                storm: {
                  containers: lambdaStorm.containers,
                  reads: lambdaStorm.reads,
                  p50Ms: round(lambdaStorm.latencyMs.median),
                  p99Ms: round(lambdaStorm.latencyMs.p99),
                  errors: lambdaStorm.errors,
                  kmsCalls: lambdaStorm.kmsCalls,
                  apiKeyLookups: lambdaStorm.apiKeyLookups,
                  kmsCallsPerContainer: lambdaStorm.kmsCallsPerContainer,
                  apiKeyLookupsPerContainer: lambdaStorm.apiKeyLookupsPerContainer,
                },
              }
            : {}),
        },
      }
    : {}),
  details: {
    machine: host,
    kmsLatencyMs,
    totalSeconds: round((performance.now() - started) / 1000, 1),
    ...(floor ? { runtimeVsFloor: floor } : {}),
    ...(calls ? { calls } : {}),
    ...(perValue ? { perValueKeys: perValue } : {}),
    ...(storm ? { storm } : {}),
    ...(auditFilter ? { auditFilter } : {}),
    ...(keyLimit ? { keyLimit } : {}),
    ...(crypto ? { crypto } : {}),
    ...(bundles ? { bundles } : {}),
    ...(coldInvoke ? { coldInvoke } : {}),
    ...(lambdaStorm ? { lambdaStorm } : {}),
  },
};
const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${join('bench', 'results', 'latest.json')}`);
