import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { auditPut } from '../audit.js';
import { newRuntimeToken } from '../auth/api-keys.js';
import type { Principal } from '../auth/principal.js';
import type { EnvironmentRecord } from '../data/environments.js';
import {
  readRuntimeToken,
  readRuntimeTokens,
  runtimeTokenCreate,
  runtimeTokenRevoke,
  type RuntimeTokenRecord,
} from '../data/runtime-tokens.js';
import { notFound } from '../errors.js';
import { newId, now, requireId } from '../ids.js';
import { compareText } from '../pagination.js';
import { TransactionFailed, transactWrite, type TableWrite } from '../storage/transact.js';
import { environmentFor } from './environments.js';

/**
 * Runtime tokens: what a hosted service hands a job's sandbox instead of values or its own key.
 * One environment, one job id, a life of at most a day; good only for that environment's runtime
 * read and check (shared/auth/api-keys.ts, shared/auth/authorization.ts). Minted, listed and
 * revoked by whoever may read the environment's runtime values.
 */

const toRuntimeToken = (token: RuntimeTokenRecord): Api.RuntimeToken => ({
  id: token.id,
  environmentId: token.envId,
  jobId: token.jobId,
  expiresAt: token.expiresAt,
});

/** DynamoDB's TTL deletes late: what has expired is gone, whether or not its items are. */
const live = (token: RuntimeTokenRecord) => Date.parse(token.expiresAt) > Date.now();

/** The event of a token made or revoked, in the environment owner's log: never the token. */
const tokenEvent = (
  deps: Deps,
  principal: Principal,
  env: EnvironmentRecord,
  action: 'create' | 'revoke',
  token: RuntimeTokenRecord,
): TableWrite =>
  auditPut(deps, {
    owner: env.ownerKey,
    principal,
    action,
    target: { type: 'runtime_token', id: token.id, name: null },
    environmentId: env.id,
    jobId: token.jobId,
  });

export async function mintRuntimeToken(
  deps: Deps,
  principal: Principal,
  envId: string,
  input: { jobId: string; ttlSeconds: number },
): Promise<Api.NewRuntimeToken> {
  const env = await environmentFor(deps, principal, envId, 'manage-runtime-tokens');
  const { key, hash } = newRuntimeToken();
  const createdAt = now();
  const expiresAt = new Date(Date.parse(createdAt) + input.ttlSeconds * 1000).toISOString();
  const token: RuntimeTokenRecord = { id: newId(), envId, jobId: input.jobId, createdAt, expiresAt, hash };
  await transactWrite(deps.db, [...runtimeTokenCreate(token), tokenEvent(deps, principal, env, 'create', token)]);
  return { ...toRuntimeToken(token), token: key };
}

/** The environment's unexpired tokens, soonest to expire first. */
export async function listRuntimeTokens(deps: Deps, principal: Principal, envId: string): Promise<Api.RuntimeToken[]> {
  await environmentFor(deps, principal, envId, 'manage-runtime-tokens');
  const tokens = (await readRuntimeTokens(deps.db, envId)).filter(live);
  return tokens.sort((a, b) => compareText(a.expiresAt, b.expiresAt) || compareText(a.id, b.id)).map(toRuntimeToken);
}

/** Revokes a token: refused at once here, within the key cache's lifetime (`API_KEY_CACHE_MS`) everywhere else. */
export async function revokeRuntimeToken(
  deps: Deps,
  principal: Principal,
  envId: string,
  tokenId: string,
): Promise<Api.RuntimeToken> {
  const env = await environmentFor(deps, principal, envId, 'manage-runtime-tokens');
  requireId(tokenId, 'Runtime token');
  const token = await readRuntimeToken(deps.db, envId, tokenId);
  if (!token || !live(token)) throw notFound('Runtime token');
  try {
    await transactWrite(deps.db, [...runtimeTokenRevoke(token), tokenEvent(deps, principal, env, 'revoke', token)]);
  } catch (err) {
    if (err instanceof TransactionFailed) throw notFound('Runtime token'); // revoked meanwhile
    throw err;
  }
  deps.apiKeys.delete(token.hash);
  return toRuntimeToken(token);
}
