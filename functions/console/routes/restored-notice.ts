import type * as Api from '../../../shared/api-objects.js';
import type { Principal } from '../../../shared/auth/principal.js';
import type { Deps } from '../../../shared/deps.js';
import { ApiError } from '../../../shared/errors.js';
import { compareText } from '../../../shared/pagination.js';
import { listEnvironmentSecrets, listVariables } from '../../../shared/services/environment-entries.js';
import { environmentLabel } from '../components/environment-link.js';

/**
 * The notice after a global secret is restored, in words: under which name, where it is
 * linked again, and each environment where it is not, with why and what to do (by label).
 */
export async function restoredNotice(
  deps: Deps,
  principal: Principal,
  deleted: Api.DeletedGlobalSecret | undefined,
  restored: Api.RestoredGlobalSecret,
): Promise<string> {
  const { secret, relinked, notRelinked } = restored;
  const label = (envId: string) => {
    const env = deleted?.linkedEnvironments.find((e) => e.id === envId);
    return env ? environmentLabel(env) : `environment ${envId}`;
  };
  const oldName = deleted?.name ?? secret.name;
  const words = [`Secret ${oldName} restored${oldName === secret.name ? '' : ` as ${secret.name}`}.`];
  if (relinked.length > 0) words.push(`Linked again in ${relinked.map(label).sort(compareText).join(', ')}.`);
  if (notRelinked.length > 0) {
    const count = notRelinked.length;
    words.push(`Not linked again in ${count} environment${count === 1 ? '' : 's'}.`);
    const reasons = await Promise.all(
      notRelinked.map(async (r) => `${label(r.environmentId)}: ${await reasonOf(deps, principal, secret.name, r)}`),
    );
    words.push(...reasons.sort(compareText));
  }
  return words.join(' ');
}

async function reasonOf(deps: Deps, principal: Principal, name: string, refused: Api.NotRelinked): Promise<string> {
  switch (refused.reason) {
    case 'name_taken': {
      const holder = await holderOf(deps, principal, refused.environmentId, name);
      return `the name ${name} is used there by ${holder}; rename or remove it, then link the secret again.`;
    }
    case 'environment_deleted':
      return 'the environment was deleted.';
    case 'environment_full':
      return 'the environment is full; remove an entry there, then link the secret again.';
  }
}

/** What holds `name` in the environment now, as the conflict messages name it. */
async function holderOf(deps: Deps, principal: Principal, envId: string, name: string): Promise<string> {
  try {
    const [secrets, variables] = await Promise.all([
      listEnvironmentSecrets(deps, principal, envId),
      listVariables(deps, principal, envId),
    ]);
    const secret = secrets.find((s) => s.name === name);
    if (secret) return secret.source === 'environment' ? 'a direct secret' : 'a linked global secret';
    if (variables.some((v) => v.name === name)) return 'an environment variable';
  } catch (err) {
    // Deleted or no longer readable since: the restore itself is done, so the notice still goes.
    if (!(err instanceof ApiError)) throw err;
  }
  return 'another entry';
}
