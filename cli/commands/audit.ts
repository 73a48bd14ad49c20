import { Option, type Command } from 'commander';
import type * as Api from '../../shared/api-objects.js';
import { contextOf } from '../context.js';
import { resolveEnvironment } from '../environment-ref.js';
import { UsageError } from '../errors.js';
import { outputOption, type OutputOptions } from '../options.js';
import { utcTime } from '../output.js';

interface AuditOptions extends OutputOptions {
  env?: string;
  teamId?: string;
  limit: number;
}

/**
 * `prime audit`: the audit log, newest first: every change and every runtime read, by whom, with
 * which key and for which job, and the version of each value a job read (never a value). Your own
 * log, a team's (its admins), or one environment's.
 */
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('Show the audit log, newest first: changes and runtime reads (names and versions, never values)')
    .option('--env <ENVIRONMENT>', "owner/name: that environment's events only")
    .option(
      '--team-id <TEAM>',
      "a team's log, by slug or id, for its admins (default: PRIME_TEAM_ID or the configured team)",
    )
    .addOption(new Option('-n, --limit <N>', 'at most N events').default(50).argParser(parseLimit))
    .addOption(outputOption())
    .action(async (opts: AuditOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = opts.env === undefined ? undefined : await resolveEnvironment(opts.env, ctx);
      const teamId = target ? (target.teamId ?? undefined) : (await ctx.scope(opts.teamId?.trim() || undefined)).teamId;
      const events = await ctx.api.audit(opts.limit, { teamId, environmentId: target?.id });
      if (opts.output === 'json') return ctx.out.json({ events });
      if (events.length === 0) return ctx.out.line('No events.');
      ctx.out.table(
        [
          { header: 'At', style: 'dim' },
          { header: 'Action', style: 'cyan' },
          { header: 'Target' },
          { header: 'Actor' },
          { header: 'Job' },
        ],
        events.map((e) => [utcTime(e.at), e.action, targetText(e), actorText(e), e.jobId ?? '-']),
        target ? `Audit log of ${target.slug}` : 'Audit log',
      );
    });
}

const targetText = (e: Api.AuditEvent) => `${e.target.type.replaceAll('_', ' ')} ${e.target.name ?? e.target.id}`;

const actorText = (e: Api.AuditEvent) =>
  `${e.actor.type} ${e.actor.id}${e.actor.keyId === undefined ? '' : ` (key ${e.actor.keyId})`}`;

function parseLimit(value: string): number {
  if (/^[1-9][0-9]{0,5}$/.test(value)) return Number(value);
  throw new UsageError(`Invalid limit '${value}': use a whole number from 1.`);
}
