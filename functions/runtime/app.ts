import type { Deps } from '../../shared/deps.js';
import { createPlainApiApp, keyCheck } from '../../shared/http/api-app.js';
import { headerText, pathText, queryFlag } from '../../shared/http/checked-request.js';
import { honoPath } from '../../shared/http/hono-path.js';
import { fittedJson } from '../../shared/http/lambda-response.js';
import { METRICS } from '../../shared/metric-catalog.js';
import { ID_RULE, JOB_ID_RULE } from '../../shared/rules.js';
import { checkRuntime } from '../../shared/services/runtime-check.js';
import { readRuntime, runtimeSetTooLarge } from '../../shared/services/runtime.js';
import { RUNTIME_CHECK, RUNTIME_READ } from './routes.js';

/**
 * The resolved set a hosted service reads at job start, and the check before it. A plain Hono
 * app that checks its requests by the rules the zod schemas are built from (shared/rules.ts),
 * without loading zod: the function's cold start is close to the AWS SDK's alone (bench:
 * `npm run bench -- --only bundles`). Its OpenAPI declarations are functions/runtime/openapi.ts.
 */
export function createRuntimeApp(deps: Deps) {
  const app = createPlainApiApp(deps, 'runtime');

  // Job starts served and refused, by how each read was answered (its entries counted where it is served).
  app.use(honoPath(RUNTIME_READ.path), async (c, next) => {
    await next();
    const { status } = c.res;
    if (status < 300) deps.metrics.count(METRICS.runtimeReadsServed);
    else if (status < 500) deps.metrics.count(METRICS.runtimeReadsRefused);
    if (status === 412) deps.metrics.count(METRICS.runtimePreconditionFailed);
  });

  app.get(honoPath(RUNTIME_READ.path), keyCheck(deps, RUNTIME_READ.security), async (c) => {
    const allowMissing = queryFlag(c, 'allowMissing');
    const envId = pathText(c, 'envId', ID_RULE);
    const jobId = headerText(c, 'x-job-id', JOB_ID_RULE);
    const set = await readRuntime(deps, c.get('principal'), envId, jobId, {
      allowMissing,
      admitted: c.get('admitted'),
    });
    c.header('Cache-Control', 'no-store');
    const fitted = fittedJson(c, { data: set }, 200, () => runtimeSetTooLarge(set));
    deps.metrics.count(METRICS.runtimeEntriesServed, Object.keys(set.env).length);
    return fitted;
  });

  app.get(honoPath(RUNTIME_CHECK.path), keyCheck(deps, RUNTIME_CHECK.security), async (c) => {
    const envId = pathText(c, 'envId', ID_RULE);
    return c.json({ data: await checkRuntime(deps, c.get('principal'), envId, c.get('admitted')) }, 200);
  });

  return app;
}
