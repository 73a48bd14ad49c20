import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { authorize, type Owner } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import { globalNameTaken, nameTakenInLinkedEnvironments } from '../conflicts.js';
import { sealValue } from '../crypto/values.js';
import { entryCreate, linkEntryDelete, readEntriesNamed, type EntryRecord } from '../data/entries.js';
import {
  deletedSecretPut,
  listGlobalSecretsOf,
  readGlobalSecret,
  secretCountChange,
  secretCreate,
  secretDelete,
  secretIdClaim,
  secretIdRelease,
  secretNameClaim,
  secretNameRelease,
  secretUpdate,
  type GlobalSecretChange,
  type GlobalSecretRecord,
} from '../data/global-secrets.js';
import { linksOf, type SecretLinkRecord } from '../data/links.js';
import { conflict, notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { mapLimit } from '../map-limit.js';
import { ownerKeyOf } from '../owner-key.js';
import { compareText } from '../pagination.js';
import { LIMITS, requireValueForKind } from '../schemas.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';
import { environmentLabel } from './environments.js';
import { finishDeletes } from './links.js';
import { optimistically, StaleRead } from './optimistic.js';
import { ownerFields, scopeOwner } from './scope.js';

/** A rename touches 4 items plus 2 per linked environment; TransactWriteItems takes 100. */
const MAX_LINKS_PER_RENAME = 48;

type SecretInput = { name?: string | undefined; value?: string | undefined; description?: string | null | undefined };

const toGlobalSecret = (secret: GlobalSecretRecord): Api.GlobalSecret => ({
  id: secret.id,
  name: secret.name,
  description: secret.description,
  isFile: secret.isFile,
  userId: secret.userId,
  teamId: secret.teamId,
  createdAt: secret.createdAt,
  updatedAt: secret.updatedAt,
});

const toEnvironmentRef = (link: SecretLinkRecord): Api.EnvironmentRef => ({
  id: link.envId,
  owner: link.envOwner,
  name: link.envName,
});

async function secretInScope(
  deps: Deps,
  principal: Principal,
  owner: Owner,
  secretId: string,
  action: 'read' | 'write',
): Promise<GlobalSecretRecord> {
  requireId(secretId, 'Secret');
  await authorize(deps, principal, owner, action, 'Secret');
  const secret = await readGlobalSecret(deps.db, ownerKeyOf(owner), secretId);
  if (!secret) throw notFound('Secret');
  return secret;
}

export async function listGlobalSecrets(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.GlobalSecret[]> {
  const owner = scopeOwner(principal, teamId);
  await authorize(deps, principal, owner, 'read', 'Team');
  const secrets = await listGlobalSecretsOf(deps.db, ownerKeyOf(owner));
  return secrets.sort((a, b) => compareText(a.name, b.name));
}

/** The owner's global secrets, each with the environments linking it (the console's dashboard). */
export async function listGlobalSecretsWithLinks(
  deps: Deps,
  principal: Principal,
  teamId: string | undefined,
): Promise<Api.GlobalSecretDetail[]> {
  const secrets = await listGlobalSecrets(deps, principal, teamId);
  const ownerKey = ownerKeyOf(scopeOwner(principal, teamId));
  return mapLimit(secrets, 8, async (secret) => ({
    ...secret,
    linkedEnvironments: (await linksOf(deps.db, ownerKey, secret.id))
      .map(toEnvironmentRef)
      .sort((a, b) => compareText(environmentLabel(a), environmentLabel(b))),
  }));
}

export async function createGlobalSecret(
  deps: Deps,
  principal: Principal,
  input: SecretInput & {
    name: string;
    value: string;
    isFile?: boolean | undefined;
    teamId?: string | null | undefined;
  },
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, input.teamId);
  await authorize(deps, principal, owner, 'write', 'Team');
  const ownerKey = ownerKeyOf(owner);
  await finishDeletes(deps, ownerKey);
  const id = newId();
  const at = now();
  const secret: GlobalSecretRecord = {
    id,
    name: input.name,
    description: input.description ?? null,
    isFile: input.isFile === true,
    ...ownerFields(owner),
    createdAt: at,
    updatedAt: at,
    ownerKey,
    sealed: await sealValue(deps.dataKeys, ownerKey, { kind: 'global', secretId: id }, input.value),
    linkSeq: 0,
  };
  try {
    await transactWrite(deps.db, [
      secretNameClaim(ownerKey, secret.name, id),
      secretCreate(secret),
      secretIdClaim(ownerKey, id),
      secretCountChange(ownerKey, 1, LIMITS.globalSecretsPerOwner),
      auditPut(deps, {
        owner: ownerKey,
        principal,
        action: 'create',
        target: { type: 'global_secret', id, name: secret.name },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      if (err.failedAt() === 0) throw globalNameTaken(input.name);
      throw conflict('limit_exceeded', `An owner holds at most ${LIMITS.globalSecretsPerOwner} global secrets.`);
    }
    throw err;
  }
  return toGlobalSecret(secret);
}

export async function getGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
): Promise<Api.GlobalSecretDetail> {
  const owner = scopeOwner(principal, teamId);
  const secret = await secretInScope(deps, principal, owner, secretId, 'read');
  const links = await linksOf(deps.db, secret.ownerKey, secretId);
  return { ...toGlobalSecret(secret), linkedEnvironments: links.map(toEnvironmentRef) };
}

export async function updateGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
  input: SecretInput,
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, teamId);
  await finishDeletes(deps, ownerKeyOf(owner));
  return optimistically('secret', async () => {
    const secret = await secretInScope(deps, principal, owner, secretId, 'write');
    if (input.value !== undefined) requireValueForKind(input.value, secret.isFile);
    const renaming = input.name !== undefined && input.name !== secret.name;
    return renaming
      ? renameGlobalSecret(deps, principal, secret, { ...input, name: input.name! })
      : changeGlobalSecret(deps, principal, secret, input);
  });
}

/** What a change writes: the name (kept or new), any new description or value, and when. */
async function changeOf(deps: Deps, secret: GlobalSecretRecord, input: SecretInput): Promise<GlobalSecretChange> {
  return {
    name: input.name ?? secret.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.value === undefined
      ? {}
      : {
          sealed: await sealValue(deps.dataKeys, secret.ownerKey, { kind: 'global', secretId: secret.id }, input.value),
        }),
    updatedAt: now(),
  };
}

async function changeGlobalSecret(
  deps: Deps,
  principal: Principal,
  secret: GlobalSecretRecord,
  input: SecretInput,
): Promise<Api.GlobalSecret> {
  const change = await changeOf(deps, secret, input);
  try {
    await transactWrite(deps.db, [
      // Still under the name we read: a rename meanwhile moved its claim and link entries, and
      // writing the old name back would leave them pointing at a name the secret no longer has.
      secretUpdate(secret, change),
      auditPut(deps, {
        owner: secret.ownerKey,
        principal,
        action: 'update',
        target: { type: 'global_secret', id: secret.id, name: secret.name },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw new StaleRead();
    throw err;
  }
  return toGlobalSecret({ ...secret, ...change });
}

/**
 * A rename claims the new name in the owner's scope and renames the entry in every linked
 * environment, all in one transaction: either every place has the new name or none has.
 */
async function renameGlobalSecret(
  deps: Deps,
  principal: Principal,
  secret: GlobalSecretRecord,
  input: SecretInput & { name: string },
): Promise<Api.GlobalSecret> {
  const links = await linksOf(deps.db, secret.ownerKey, secret.id);
  await refuseUnmovableRename(deps, links, input.name);
  const change = await changeOf(deps, secret, input);
  const moves = await linkEntryMoves(deps, secret, links, input.name, change.updatedAt);
  try {
    await transactWrite(deps.db, [
      secretUpdate(secret, change),
      secretNameRelease(secret.ownerKey, secret.name),
      secretNameClaim(secret.ownerKey, input.name, secret.id),
      ...moves,
      auditPut(deps, {
        owner: secret.ownerKey,
        principal,
        action: 'rename',
        target: { type: 'global_secret', id: secret.id, name: input.name },
      }),
    ]);
  } catch (err) {
    if (err instanceof TransactionFailed) {
      if (err.failedAt() === 2) throw globalNameTaken(input.name);
      throw new StaleRead();
    }
    throw err;
  }
  return toGlobalSecret({ ...secret, ...change });
}

/** Too many links for one transaction, or the new name taken in a linked environment (each named). */
async function refuseUnmovableRename(deps: Deps, links: SecretLinkRecord[], name: string): Promise<void> {
  if (links.length > MAX_LINKS_PER_RENAME) {
    throw conflict(
      'conflict',
      `This secret is linked to ${links.length} environments; a rename can move at most ${MAX_LINKS_PER_RENAME} at once. Unlink some environments first.`,
    );
  }
  const holders = await readEntriesNamed(
    deps.db,
    links.map((l) => ({ envId: l.envId, name })),
  );
  const taken = links
    .map((l, i) => ({ environment: environmentLabel({ owner: l.envOwner, name: l.envName }), holder: holders[i] }))
    .filter((p): p is { environment: string; holder: EntryRecord } => p.holder !== undefined);
  if (taken.length > 0) throw nameTakenInLinkedEnvironments(name, taken);
}

/** Each linked environment's entry moved from the secret's name to `name`; a stale read retries. */
async function linkEntryMoves(
  deps: Deps,
  secret: GlobalSecretRecord,
  links: SecretLinkRecord[],
  name: string,
  updatedAt: string,
): Promise<TableWrite[]> {
  const entries = await readEntriesNamed(
    deps.db,
    links.map((l) => ({ envId: l.envId, name: secret.name })),
  );
  return entries.flatMap((entry) => {
    if (entry?.kind !== 'link' || entry.secretId !== secret.id) throw new StaleRead();
    return [linkEntryDelete(entry.envId, secret.name, secret.id), entryCreate({ ...entry, name, updatedAt })];
  });
}

/**
 * A delete takes the secret, its name and id claims and its count in one transaction, and
 * leaves a copy of it under its deleted key: from that commit on no reader finds the secret
 * and no link to it can be made. Its links go after, by `finishDeletes`, which the next write
 * of the owner runs again should this one stop half-way.
 */
export async function deleteGlobalSecret(
  deps: Deps,
  principal: Principal,
  secretId: string,
  teamId: string | undefined,
): Promise<Api.GlobalSecret> {
  const owner = scopeOwner(principal, teamId);
  await finishDeletes(deps, ownerKeyOf(owner));
  const secret = await optimistically('secret', async () => {
    const secret = await secretInScope(deps, principal, owner, secretId, 'write');
    const links = await linksOf(deps.db, secret.ownerKey, secretId);
    const at = now();
    try {
      await transactWrite(deps.db, [
        // Unchanged since read: under the name its claim and link entries have, with the links we list.
        secretDelete(secret),
        secretNameRelease(secret.ownerKey, secret.name),
        secretIdRelease(secretId, at),
        secretCountChange(secret.ownerKey, -1),
        deletedSecretPut(
          secret,
          links.map((l) => l.envId),
          at,
        ),
        auditPut(deps, {
          owner: secret.ownerKey,
          principal,
          action: 'delete',
          target: { type: 'global_secret', id: secretId, name: secret.name },
        }),
      ]);
    } catch (err) {
      // Deleted meanwhile (the fresh read is a 404), renamed, linked or unlinked since our read.
      if (err instanceof TransactionFailed) throw new StaleRead();
      throw err;
    }
    return secret;
  });
  await finishDeletes(deps, secret.ownerKey).catch((err: unknown) =>
    // Committed: the secret is deleted for every reader; what is left the next write removes.
    deps.logger.warn('links of a deleted global secret left for the next write', {
      secretId,
      error: err instanceof Error ? err.name : 'unknown',
    }),
  );
  return toGlobalSecret(secret);
}
