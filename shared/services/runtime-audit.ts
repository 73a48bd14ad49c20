import type { Deps } from '../deps.js';
import { prepareAudit, writeAudit } from '../audit.js';
import type { Principal } from '../auth/principal.js';
import type { EntryRecord, LinkEntry } from '../data/entries.js';
import type { EnvironmentRecord } from '../data/environments.js';
import type { GlobalSecretRecord } from '../data/global-secrets.js';
import { winners } from '../resolver.js';
import { linkedName } from './linked-name.js';

export interface LinkedSecret {
  link: LinkEntry;
  secret: GlobalSecretRecord;
}

const SOURCE_OF = { secret: 'environment', variable: 'variable' } as const;

/** The version of each value a read serves, by the precedence rule, without opening any. */
function servedVersions(entries: EntryRecord[], linked: { name: string; version: number }[]): Record<string, number> {
  return winners([
    ...entries.flatMap((e) =>
      e.kind === 'link' ? [] : [{ name: e.name, source: SOURCE_OF[e.kind], isFile: false, version: e.version }],
    ),
    ...linked.map((l) => ({ name: l.name, source: 'global-linked' as const, isFile: false, version: l.version })),
  ]).versions;
}

const sameVersions = (a: Record<string, number>, b: Record<string, number>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([name, v]) => b[name] === v);

/**
 * The audit event of a runtime read, naming the version of every value it serves. `early`
 * sends it beside the batch, naming each linked secret's version by what its link knows
 * (kept up to date by every change of the secret). `settle` sends it once the linked secrets
 * are read, or, should they show otherwise (a change not yet told to every link, a secret just
 * deleted), writes it again in its place; it resolves once the event written is the true one.
 */
export function runtimeAudit(
  deps: Deps,
  principal: Principal,
  env: EnvironmentRecord,
  jobId: string | undefined,
  entries: EntryRecord[],
) {
  const prepared = prepareAudit(deps, {
    owner: env.ownerKey,
    principal,
    action: 'runtime_read',
    target: { type: 'environment', id: env.id, name: env.name },
    environmentId: env.id,
    jobId: jobId ?? null,
  });
  let sent: { versions: Record<string, number>; written: Promise<void> } | undefined;
  const send = (versions: Record<string, number>, after: Promise<void> = Promise.resolve()) => {
    const written = after.then(() => writeAudit(deps, { ...prepared, event: { ...prepared.event, versions } }));
    written.catch(() => undefined); // awaited before the values leave; this only avoids an unhandled rejection meanwhile
    sent = { versions, written };
  };
  return {
    early(links: LinkEntry[]): void {
      // A link made before it knew its secret's version names none: the batch corrects it.
      send(
        servedVersions(
          entries,
          links.map((l) => ({ name: l.name, version: l.secretVersion ?? 0 })),
        ),
      );
    },
    settle(linked: LinkedSecret[]): Promise<void> {
      const versions = servedVersions(
        entries,
        linked.map(({ link, secret }) => ({ name: linkedName(link, secret), version: secret.version })),
      );
      if (!sent) send(versions);
      else if (!sameVersions(sent.versions, versions)) send(versions, sent.written);
      return sent!.written;
    },
  };
}
