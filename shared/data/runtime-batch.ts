import type { OwnerKey } from '../owner-key.js';
import type { Role } from '../schemas.js';
import type { Db } from '../storage/client.js';
import { batchGet, itemId } from '../storage/batch.js';
import { toDataKey, type DataKeyRecord } from './data-keys.js';
import { toGlobalSecretRecord, type GlobalSecretRecord } from './global-secrets.js';
import { keys } from './keys.js';

/** What a runtime read needs beyond the environment's partition. */
export interface RuntimeBatchRequest {
  ownerKey: OwnerKey;
  secretIds: string[];
  dataKeyVersions: number[];
  /** The caller's membership, when a user key reads a team's environment. */
  member?: { teamId: string; userId: string } | undefined;
}

export interface RuntimeBatch {
  /** The linked secrets that exist, by id. */
  secrets: Map<string, GlobalSecretRecord>;
  dataKeys: Map<number, DataKeyRecord>;
  role: Role | undefined;
}

/** The linked secrets, the data keys not in memory and the caller's membership: one BatchGetItem. */
export async function readRuntimeBatch(db: Db, request: RuntimeBatchRequest): Promise<RuntimeBatch> {
  const { ownerKey } = request;
  const memberKey = request.member && keys.member(request.member.teamId, request.member.userId);
  const found = await batchGet(db, [
    ...request.secretIds.map((id) => keys.globalSecret(ownerKey, id)),
    ...request.dataKeyVersions.map((v) => keys.dataKey(ownerKey, v)),
    ...(memberKey ? [memberKey] : []),
  ]);
  const secrets = new Map<string, GlobalSecretRecord>();
  for (const id of request.secretIds) {
    const item = found.get(itemId(keys.globalSecret(ownerKey, id)));
    if (item) secrets.set(id, toGlobalSecretRecord(ownerKey, item));
  }
  const dataKeys = new Map<number, DataKeyRecord>();
  for (const version of request.dataKeyVersions) {
    const item = found.get(itemId(keys.dataKey(ownerKey, version)));
    if (item) dataKeys.set(version, toDataKey(item));
  }
  const role = memberKey && (found.get(itemId(memberKey))?.role as Role | undefined);
  return { secrets, dataKeys, role };
}
