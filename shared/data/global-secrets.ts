import type * as Api from '../api-objects.js';
import type { SealedValue } from '../crypto/values.js';
import type { OwnerKey } from '../owner-key.js';
import type { Db } from '../storage/client.js';
import { batchGet, itemId } from '../storage/batch.js';
import { getItem, type Item } from '../storage/item.js';
import { queryFirst, queryPrefix } from '../storage/query.js';
import { TABLE } from '../storage/table-definition.js';
import type { TableWrite } from '../storage/transact.js';
import { keys } from './keys.js';
import { bumpingOwnerRevision } from './revisions.js';
import { ownerCountChange } from './owner-counts.js';

/** A global secret as stored: its metadata, its sealed value, and its link sequence. */
export type GlobalSecretRecord = Api.GlobalSecret & {
  ownerKey: OwnerKey;
  sealed: SealedValue;
  /** Bumped by every link and unlink, so that a rename or update from a stale read is refused. */
  linkSeq: number;
  /** A rename under way in chunks (shared/services/global-secrets.ts), or undefined. */
  rename?: SecretRename | undefined;
};

/** A rename in chunks: reserved `to` in every linked environment, committed once the secret has that name. */
export interface SecretRename {
  id: string;
  from: string;
  to: string;
  /** Epoch seconds: after this, an uncommitted rename is undone by the next write. */
  expiresAt: number;
  /** The environments it reserves `to` in: every one linked when it began (an unlink meanwhile leaves its reservation to drop). */
  envIds: string[];
}

/** What a change of a secret writes: any of its name, description and value, and when. */
export type GlobalSecretChange = Partial<
  Pick<GlobalSecretRecord, 'name' | 'description' | 'sealed' | 'version' | 'expiresAt'>
> & {
  updatedAt: string;
};

const toGlobalSecret = (item: Item): Api.GlobalSecret => ({
  id: item.id as string,
  name: item.name as string,
  description: (item.description as string | null | undefined) ?? null,
  isFile: item.isFile === true,
  userId: (item.userId as string | null) ?? null,
  teamId: (item.teamId as string | null) ?? null,
  // Secrets made before versions are at their first.
  version: (item.version as number | undefined) ?? 1,
  expiresAt: (item.expiresAt as string | null | undefined) ?? null,
  createdAt: item.createdAt as string,
  updatedAt: item.updatedAt as string,
});

/** Added onto the metadata rather than spread: the runtime read maps every linked secret here. */
export const toGlobalSecretRecord = (ownerKey: OwnerKey, item: Item): GlobalSecretRecord =>
  Object.assign(toGlobalSecret(item), {
    ownerKey,
    sealed: { ct: item.ct as Uint8Array, dekVersion: item.dekVersion as number },
    linkSeq: (item.linkSeq as number | undefined) ?? 0,
    rename: item.rename as SecretRename | undefined,
  });

/** The global secret of an owner, read consistently, or undefined. */
export async function readGlobalSecret(
  db: Db,
  owner: OwnerKey,
  secretId: string,
): Promise<GlobalSecretRecord | undefined> {
  const item = await getItem(db, keys.globalSecret(owner, secretId));
  return item && toGlobalSecretRecord(owner, item);
}

/** Some of an owner's global secrets by id, in one batch; the ones that exist. */
export async function readGlobalSecrets(
  db: Db,
  owner: OwnerKey,
  secretIds: string[],
): Promise<Map<string, GlobalSecretRecord>> {
  const found = await batchGet(
    db,
    secretIds.map((id) => keys.globalSecret(owner, id)),
  );
  const secrets = new Map<string, GlobalSecretRecord>();
  for (const id of secretIds) {
    const item = found.get(itemId(keys.globalSecret(owner, id)));
    if (item) secrets.set(id, toGlobalSecretRecord(owner, item));
  }
  return secrets;
}

/** An owner's global secrets, metadata only: the sealed value is never read for a listing. */
export async function listGlobalSecretsOf(db: Db, owner: OwnerKey): Promise<Api.GlobalSecret[]> {
  const items = await queryPrefix(db, keys.ownerPartition(owner), keys.globalSecretPrefix, {
    ProjectionExpression: 'id, #name, description, isFile, userId, teamId, version, expiresAt, createdAt, updatedAt',
    ExpressionAttributeNames: { '#name': 'name' },
  });
  return items.map(toGlobalSecret);
}

/**
 * Whether a global secret with this id exists under any owner: its id claim, read
 * consistently. Secrets made before the claim existed have none and are found by the index.
 */
export async function globalSecretExists(db: Db, secretId: string): Promise<boolean> {
  const claim = await getItem(db, keys.globalSecretIdClaim(secretId));
  if (claim) return claim.deletedAt === undefined;
  const found = await queryFirst(db, {
    IndexName: TABLE.index.name,
    KeyConditionExpression: '#gsiPk = :g',
    ExpressionAttributeNames: { '#gsiPk': TABLE.index.partitionKey },
    ExpressionAttributeValues: { ':g': keys.globalSecretIndex(secretId).gsi1pk },
    ProjectionExpression: 'pk',
  });
  return found !== undefined;
}

// ---- writes ----

/** The secret's name claimed in its owner's scope (the conflict check: conditional). */
export const secretNameClaim = (owner: OwnerKey, name: string, secretId: string): TableWrite => ({
  Put: {
    Item: { ...keys.globalSecretName(owner, name), secretId },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

export const secretNameRelease = (owner: OwnerKey, name: string): TableWrite => ({
  Delete: { Key: keys.globalSecretName(owner, name) },
});

/** The name's claim released if this secret holds it (an undone rename's). */
export const secretNameReleaseOf = (owner: OwnerKey, name: string, secretId: string): TableWrite => ({
  Delete: {
    Key: keys.globalSecretName(owner, name),
    ConditionExpression: 'secretId = :id',
    ExpressionAttributeValues: { ':id': secretId },
  },
});

/** A rename in chunks begun: marked on the secret as read, if no other rename is under way. */
export const secretRenameBegin = (read: GlobalSecretRecord, rename: SecretRename): TableWrite =>
  bumpingOwnerRevision(read.ownerKey, {
    Update: {
      Key: keys.globalSecret(read.ownerKey, read.id),
      UpdateExpression: 'SET #rename = :rename',
      ConditionExpression: 'linkSeq = :seq AND #name = :name AND attribute_not_exists(#rename)',
      ExpressionAttributeNames: { '#rename': 'rename', '#name': 'name' },
      ExpressionAttributeValues: { ':rename': rename, ':seq': read.linkSeq, ':name': read.name },
    },
  });

/**
 * The rename's mark removed, if it is still this rename's and the secret has `name`: the new
 * name when finished, the old one when undone (so an undo never follows a commit).
 */
export const secretRenameEnd = (owner: OwnerKey, secretId: string, renameId: string, name: string): TableWrite =>
  bumpingOwnerRevision(owner, {
    Update: {
      Key: keys.globalSecret(owner, secretId),
      UpdateExpression: 'REMOVE #rename',
      ConditionExpression: '#rename.id = :r AND #name = :name',
      ExpressionAttributeNames: { '#rename': 'rename', '#name': 'name' },
      ExpressionAttributeValues: { ':r': renameId, ':name': name },
    },
  });

/** The secret's id claimed with its owner (ids are new, so the condition only guards a bug). */
export const secretIdClaim = (owner: OwnerKey, secretId: string): TableWrite => ({
  Put: {
    Item: { ...keys.globalSecretIdClaim(secretId), ownerKey: owner },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** A secret's attributes without its key (a deleted secret's copy keeps them under its own). */
export function secretFields(secret: GlobalSecretRecord): Item {
  const { ownerKey: _owner, sealed, rename: _rename, ...fields } = secret;
  return { ...fields, ...sealed };
}

export const secretCreate = (secret: GlobalSecretRecord): TableWrite =>
  bumpingOwnerRevision(secret.ownerKey, {
    Put: {
      Item: {
        ...keys.globalSecret(secret.ownerKey, secret.id),
        ...secretFields(secret),
        ...keys.globalSecretIndex(secret.id),
      },
    },
  });

/** The owner's count of secrets (missing means none); an increase is refused at `max`. */
export const secretCountChange = (owner: OwnerKey, delta: 1 | -1, max?: number): TableWrite =>
  ownerCountChange(owner, 'secretCount', delta, { max });

/**
 * A change of the secret as read: refused unless it still has the name, link sequence and
 * version we read (no rename, link, unlink or change of value meanwhile).
 */
export function secretUpdate(read: GlobalSecretRecord, change: GlobalSecretChange, renameId?: string): TableWrite {
  const { sealed, ...plain } = change;
  const fields: Item = { ...plain, ...sealed };
  const names: Record<string, string> = { '#name': 'name' };
  const values: Item = { ':seq': read.linkSeq, ':readName': read.name, ':readVersion': read.version };
  if (renameId !== undefined) {
    names['#rename'] = 'rename';
    values[':renameId'] = renameId;
  }
  for (const [field, value] of Object.entries(fields)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
  }
  return bumpingOwnerRevision(read.ownerKey, {
    Update: {
      Key: keys.globalSecret(read.ownerKey, read.id),
      UpdateExpression: `SET ${Object.keys(fields)
        .map((f) => `#${f} = :${f}`)
        .join(', ')}`,
      // A secret made before versions has none: it is at version 1 until its first change.
      ConditionExpression: `attribute_exists(pk) AND linkSeq = :seq AND #name = :readName AND (attribute_not_exists(version) OR version = :readVersion)${
        renameId === undefined ? '' : ' AND #rename.id = :renameId'
      }`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  });
}

/**
 * One more link or unlink of the secret (so a concurrent rename or delete notices), on the
 * condition that it exists and, when given, still has this name.
 */
export const secretLinkSeqBump = (owner: OwnerKey, secretId: string, name?: string): TableWrite =>
  bumpingOwnerRevision(owner, {
    Update: {
      Key: keys.globalSecret(owner, secretId),
      UpdateExpression: 'ADD linkSeq :one',
      ...(name === undefined
        ? { ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':one': 1 } }
        : {
            ConditionExpression: 'attribute_exists(pk) AND #name = :name',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':one': 1, ':name': name },
          }),
    },
  });

/**
 * The secret removed, if unchanged since read (a rename moves its claim and links, a link or
 * unlink changes the links its deleted copy lists).
 */
export const secretDelete = (read: GlobalSecretRecord): TableWrite =>
  bumpingOwnerRevision(read.ownerKey, {
    Delete: {
      Key: keys.globalSecret(read.ownerKey, read.id),
      ConditionExpression: 'attribute_exists(pk) AND #name = :name AND linkSeq = :seq',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':name': read.name, ':seq': read.linkSeq },
    },
  });

/** The id claim kept, marked deleted: the scope check then answers 404 without the index. */
export const secretIdRelease = (secretId: string, deletedAt: string): TableWrite => ({
  Update: {
    Key: keys.globalSecretIdClaim(secretId),
    UpdateExpression: 'SET deletedAt = :at',
    ExpressionAttributeValues: { ':at': deletedAt },
  },
});

/** A deleted secret restored: its id claim no longer marked deleted (if it still is). */
export const secretIdReclaim = (secretId: string): TableWrite => ({
  Update: {
    Key: keys.globalSecretIdClaim(secretId),
    UpdateExpression: 'REMOVE deletedAt',
    ConditionExpression: 'attribute_exists(deletedAt)',
  },
});
