import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { resolveEnvironment } from '../environment-ref.js';
import { outputOption, type OutputOptions } from '../options.js';
import { listText, sourceWord, utcTime } from '../output.js';

/**
 * `prime env check [ENVIRONMENT]`: whether a job can start, for CI to run before it submits one.
 * Exits 1 when the environment is not ready (a required name is missing or expired), in either
 * format, so the JSON stays what the API answered.
 */
export function registerEnvironmentCheckCommand(env: Command): void {
  env
    .command('check')
    .description('Check that a job can start: required names present, none expired (exits 1 if not)')
    .argument('[ENVIRONMENT]', 'owner/name')
    .addOption(outputOption())
    .action(async (environment: string | undefined, opts: OutputOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const target = await resolveEnvironment(environment, ctx);
      const check = await ctx.api.runtimeCheck(target.id);
      if (!check.ready) process.exitCode = 1;
      if (opts.output === 'json') return ctx.out.json(check);
      if (check.ready) ctx.out.success(`${target.slug} is ready for a job`);
      else ctx.out.line(ctx.out.paint('red', `✗ ${target.slug} is not ready for a job`));
      ctx.out.fields([
        ['Missing', listText(check.missing)],
        ['Optional missing', listText(check.optionalMissing)],
        ['Expired', listText(check.expired)],
        ['Expiring soon', listText(check.expiringSoon.map((s) => `${s.name} (${utcTime(s.expiresAt)})`))],
      ]);
      if (check.names.length === 0) return ctx.out.line(`No secrets or variables in ${target.slug}.`);
      ctx.out.table(
        [{ header: 'Name', style: 'cyan' }, { header: 'Source' }],
        check.names.map((n) => [n.name, sourceWord(n.source)]),
        `Names in ${target.slug}`,
      );
    });
}
