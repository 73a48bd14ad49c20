import type { Deps } from '../deps.js';
import type * as Api from '../api-objects.js';
import { decide, enforce, refuseMissing } from '../auth/authorization.js';
import type { Principal } from '../auth/principal.js';
import type { EntryRecord, LinkEntry } from '../data/entries.js';
import { readRuntimeBatch } from '../data/runtime-batch.js';
import { requireId } from '../ids.js';
import { ownerOf, type Owner } from '../owner-key.js';
import type { GlobalSecretRecord } from '../data/global-secrets.js';
import type { RequirementRecord } from '../data/requirements.js';
import { pickWinners, type Source } from '../resolver.js';
import { LIMITS } from '../rules.js';
import { linkedName } from './linked-name.js';
import type { LinkedSecret } from './runtime-audit.js';

/** What a check knows of a name's candidate: where it comes from and, for a secret, when it expires. */
interface Seen {
  name: string;
  source: Source;
  expiresAt: string | null;
}

/** Every name of the set as the runtime read resolves it, without a value. */
function seenNames(entries: EntryRecord[], linked: LinkedSecret[]): Map<string, Seen> {
  return pickWinners<Seen>([
    ...entries.flatMap((e): Seen[] => {
      if (e.kind === 'variable') return [{ name: e.name, source: 'variable', expiresAt: null }];
      return e.kind === 'secret' ? [{ name: e.name, source: 'environment', expiresAt: e.expiresAt }] : [];
    }),
    ...linked.map(({ link, secret }): Seen => ({
      name: linkedName(link, secret),
      source: 'global-linked',
      expiresAt: secret.expiresAt,
    })),
  ]);
}

/** The caller's membership the batch reads: a user key's, on a team's environment. */
export const membershipToRead = (principal: Principal, owner: Owner) =>
  principal.type === 'user' && 'teamId' in owner ? { teamId: owner.teamId, userId: principal.userId } : undefined;

/** The links whose secret the batch found: one whose secret is gone (deleted, unlink under way) resolves to nothing. */
export const linkedSecrets = (links: LinkEntry[], secrets: Map<string, GlobalSecretRecord>): LinkedSecret[] =>
  links.flatMap((link) => {
    const secret = secrets.get(link.secretId);
    return secret ? [{ link, secret }] : [];
  });

/** The required names a set lacks (optional ones aside), in order. */
export const missingRequired = (requirements: RequirementRecord[], names: Set<string>): string[] =>
  requirements.filter((r) => !r.optional && !names.has(r.name)).map((r) => r.name);

/**
 * Whether a job can start: what is missing, expired or expiring soon, and where each name
 * comes from. Never a value. A required name resolving to an expired secret is not ready.
 */
export function readiness(
  entries: EntryRecord[],
  linked: LinkedSecret[],
  requirements: RequirementRecord[],
  at = Date.now(),
): Api.RuntimeCheck {
  const seen = seenNames(entries, linked);
  const names = new Set(seen.keys());
  const soon = at + LIMITS.expiringSoonDays * 86_400_000;
  const all = [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const expired = all.filter((s) => s.expiresAt !== null && Date.parse(s.expiresAt) <= at).map((s) => s.name);
  const missing = missingRequired(requirements, names);
  const requiredExpired = requirements.some((r) => !r.optional && expired.includes(r.name));
  return {
    ready: missing.length === 0 && !requiredExpired,
    missing,
    optionalMissing: requirements.filter((r) => r.optional && !names.has(r.name)).map((r) => r.name),
    expired,
    expiringSoon: all.flatMap((s) =>
      s.expiresAt !== null && Date.parse(s.expiresAt) > at && Date.parse(s.expiresAt) <= soon
        ? [{ name: s.name, expiresAt: s.expiresAt }]
        : [],
    ),
    names: all.map((s) => ({ name: s.name, source: s.source })),
  };
}

/**
 * `GET …/runtime/check`: the runtime read's two round trips without its values, its data keys
 * or its audit event, for whoever may read the environment or its runtime set. `admitted` is
 * the caller's rate limit still being counted, awaited beside the first round trip.
 */
export async function checkRuntime(
  deps: Deps,
  principal: Principal,
  envId: string,
  admitted?: Promise<void>,
): Promise<Api.RuntimeCheck> {
  requireId(envId, 'Environment');
  const [{ environment: env, entries, requirements }] = await Promise.all([deps.partitions.read(envId), admitted]);
  if (!env) return refuseMissing(deps, principal, 'Environment');
  const owner = ownerOf(env);
  const links = entries.filter((e) => e.kind === 'link');
  const batch = await readRuntimeBatch(deps.db, {
    ownerKey: env.ownerKey,
    secretIds: links.map((l) => l.secretId),
    dataKeyVersions: [],
    member: membershipToRead(principal, owner),
  });
  enforce(
    decide(principal, { ...owner, envId }, batch.role, 'check-runtime'),
    principal,
    'check-runtime',
    'Environment',
  );
  return readiness(entries, linkedSecrets(links, batch.secrets), requirements);
}
