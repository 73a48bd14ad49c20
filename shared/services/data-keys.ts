import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { recordAudit } from '../audit.js';
import { authorize, refuseMissing } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { beginReseal, listDataKeyVersions, type ResealRecord } from '../data/data-keys.js';
import { readTeam } from '../data/teams.js';
import { readUser } from '../data/users.js';
import { notFound } from '../errors.js';
import { now } from '../ids.js';
import { ownerKeyOf, type OwnerKey } from '../owner-key.js';
import { advanceReseal, resealProgress } from './reseal.js';
import { namedOwner } from './scope.js';

/** How a request names the owner whose data keys it means: a team, a user, or (neither) the caller. */
export interface OwnerNamed {
  userId?: string | undefined;
  teamId?: string | undefined;
}

/**
 * `GET /data-keys`: the owner's data key versions, what each still seals, and the re-seal. The
 * request also does a bounded share of a re-seal under way (nothing runs after a Lambda's
 * response), and an owner never counted gets its first count.
 */
export async function readDataKeys(deps: Deps, principal: Principal, named: OwnerNamed): Promise<Api.DataKeys> {
  const owner = await keyOwner(deps, principal, named);
  return dataKeysView(deps, owner, await advanceReseal(deps, owner));
}

/**
 * `POST /data-keys/rotate`: a new version, current for new writes at once (in this process
 * now, in others at their next write: shared/data/data-keys.ts `dataKeyStillNewest`), and a
 * re-seal of every value toward it, begun in this request and continued by the next ones. A
 * rotation while a re-seal runs rotates again: the re-seal then goes to the newest version.
 */
export async function rotateDataKeys(deps: Deps, principal: Principal, named: OwnerNamed): Promise<Api.DataKeys> {
  const owner = await keyOwner(deps, principal, named);
  const { version } = await deps.dataKeys.rotate(owner);
  await beginReseal(deps.db, owner, version, now());
  await recordAudit(deps, {
    owner,
    principal,
    action: 'rotate',
    target: { type: 'data_key', id: String(version), name: null },
  });
  return dataKeysView(deps, owner, await advanceReseal(deps, owner));
}

/** The owner named, once the caller may manage its keys: a team's admins, the user, the admin key for anyone. */
async function keyOwner(deps: Deps, principal: Principal, named: OwnerNamed): Promise<OwnerKey> {
  const owner = namedOwner(principal, named);
  if (!owner) return refuseMissing(deps, principal, 'Owner');
  const what = 'teamId' in owner ? 'Team' : 'User';
  await authorize(deps, principal, owner, 'manage-keys', what);
  // The admin key may name any id: it gets keys made only for an owner that exists.
  const exists = 'teamId' in owner ? await readTeam(deps.db, owner.teamId) : await readUser(deps.db, owner.userId);
  if (!exists) throw notFound(what);
  return ownerKeyOf(owner);
}

async function dataKeysView(deps: Deps, owner: OwnerKey, record: ResealRecord | undefined): Promise<Api.DataKeys> {
  const versions = await listDataKeyVersions(deps.db, owner);
  const progress = resealProgress(record);
  return {
    current: versions.at(-1)?.version ?? 0,
    versions: versions
      .map((v) => ({ version: v.version, createdAt: v.createdAt, values: progress.values(v.version) }))
      .reverse(),
    reseal: { state: progress.state, moved: progress.moved, total: progress.total },
  };
}
