import { ApiRefusal } from './api-client.js';
import type { RuntimeSet } from './api.js';
import type { Context } from './context.js';
import { resolveEnvironment, type ResolvedEnvironment } from './environment-ref.js';
import { CliError } from './errors.js';
import { nameProblem } from './inputs.js';

/**
 * An environment's runtime set, for `prime env run` and `env pull`. Its names become file
 * names in env run's private folder, variables of the command's environment and lines of the
 * pulled file, so each must keep the service's own name rule: a server that sends `../x` or
 * a line break (a bug, a proxy, an impostor) is refused before anything is written. The service
 * refuses the set (412) while a name the environment requires is missing, unless `allowMissing`.
 */
export async function readRuntimeSet(
  given: string | undefined,
  ctx: Context,
  { allowMissing = false } = {},
): Promise<{ target: ResolvedEnvironment; set: RuntimeSet }> {
  const target = await resolveEnvironment(given, ctx);
  const set = await ctx.api.runtime(target.id, allowMissing).catch((err: unknown) => {
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
