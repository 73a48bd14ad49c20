import { ApiRefusal } from './api-client.js';
import type { PrimeApi, RuntimeSet } from './api.js';
import type { Context } from './context.js';
import { resolveEnvironment, type ResolvedEnvironment } from './environment-ref.js';
import { CliError, UsageError } from './errors.js';
import { nameProblem } from './inputs.js';

/** The environment read: its id, and how the user named it. */
export type RuntimeTarget = Pick<ResolvedEnvironment, 'id' | 'slug'>;

/** An environment id as the service makes them (the `environmentId` a token was minted for). */
const ENVIRONMENT_ID = /^[a-z2-7]{24}$/;

/**
 * Who reads and what: the API key and the environment by `owner/name`, or, with
 * PRIME_RUNTIME_TOKEN, the token and the environment by its id (a token may read its own
 * environment's set and nothing else, not even the look-up of a name).
 */
async function runtimeTarget(
  given: string | undefined,
  ctx: Context,
): Promise<{ api: PrimeApi; target: RuntimeTarget }> {
  const { runtimeToken } = ctx.settings;
  if (!runtimeToken) return { api: ctx.api, target: await resolveEnvironment(given, ctx) };
  if (given === undefined || !ENVIRONMENT_ID.test(given)) {
    throw new UsageError(
      'With PRIME_RUNTIME_TOKEN, name the environment by its id (the environmentId the token was minted for).',
    );
  }
  return { api: ctx.apiWith(runtimeToken), target: { id: given, slug: given } };
}

/**
 * An environment's runtime set, for `prime env run` and `env secret pull`. Its names become file
 * names in env run's private folder, variables of the command's environment and lines of the
 * pulled file, so each must keep the service's own name rule: a server that sends `../x` or
 * a line break (a bug, a proxy, an impostor) is refused before anything is written. The service
 * refuses the set (412) while a name the environment requires is missing, unless `allowMissing`.
 */
export async function readRuntimeSet(
  given: string | undefined,
  ctx: Context,
  { allowMissing = false } = {},
): Promise<{ target: RuntimeTarget; set: RuntimeSet }> {
  const { api, target } = await runtimeTarget(given, ctx);
  const set = await api.runtime(target.id, allowMissing).catch((err: unknown) => {
    // The service's detail names the missing names and the console's remedy; the CLI has one more.
    if (err instanceof ApiRefusal && err.code === 'missing_required') {
      throw new CliError(`${err.message} Or pass --allow-missing to go on without them.`);
    }
    throw err;
  });
  for (const name of [...Object.keys(set.env), ...set.files]) {
    const problem = await nameProblem('EntryName', name);
    if (problem !== undefined) {
      throw new CliError(`The API sent an invalid name ${JSON.stringify(name)} (${problem}): nothing was written.`);
    }
  }
  return { target, set };
}
