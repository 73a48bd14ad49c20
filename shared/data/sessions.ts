import type { UserPrincipal } from '../auth/authorization.js';
import type { Db } from '../storage/client.js';
import { deleteItem, getItem, putItem, updateItem } from '../storage/item.js';
import { keys } from './keys.js';

/** A console session, by the SHA-256 of its cookie token; the raw token and API key are stored nowhere. */
export interface SessionRecord {
  tokenHash: string;
  principal: UserPrincipal;
  /** The SHA-256 of the API key signed in with: revoking that key ends the session. */
  keyHash: string;
  csrfToken: string;
  createdAt: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** Stores a new session; false if one with this token hash exists (a token is never reused). */
export function createSessionItem(db: Db, session: SessionRecord): Promise<boolean> {
  const { tokenHash, ...fields } = session;
  return putItem(db, {
    // DynamoDB TTL removes it some time after expiry; reads check expiresAt themselves.
    Item: { ...keys.consoleSession(tokenHash), ...fields, ttl: session.expiresAt },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
}

export async function readSessionItem(db: Db, tokenHash: string): Promise<SessionRecord | undefined> {
  const item = await getItem(db, keys.consoleSession(tokenHash));
  if (!item || typeof item.expiresAt !== 'number') return undefined;
  return {
    tokenHash,
    principal: item.principal as UserPrincipal,
    keyHash: item.keyHash as string,
    csrfToken: item.csrfToken as string,
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt,
  };
}

export function deleteSessionItem(db: Db, tokenHash: string): Promise<void> {
  return deleteItem(db, keys.consoleSession(tokenHash));
}

/**
 * Records that the session's form `formId` was sent: true the first time, false once it was (or
 * when the session is gone). The ids of a session's forms are kept with it, and go with it.
 */
export async function firstUseOfForm(db: Db, tokenHash: string, formId: string): Promise<boolean> {
  const after = await updateItem(db, {
    Key: keys.consoleSession(tokenHash),
    UpdateExpression: 'ADD usedForms :form',
    ConditionExpression: 'attribute_exists(pk) AND NOT contains(usedForms, :id)',
    ExpressionAttributeValues: { ':form': new Set([formId]), ':id': formId },
  });
  return after !== undefined;
}
