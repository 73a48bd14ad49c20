import { CliError } from './errors.js';

/**
 * Names whose value makes the programs `prime env run` starts load or run code the value
 * names: the dynamic loader's (glibc, macOS), the shells' start-up and tracing hooks, the
 * commands programs call out to, and the module paths and option variables of the
 * interpreters and tools a command most often is or starts (Node and npm, Python, Perl, Ruby,
 * Java, git). Anyone who can write an environment could otherwise run code as whoever runs
 * it locally. `X_*` covers every name starting with `X_`.
 */
export const RISKY_NAMES = [
  'LD_*',
  'DYLD_*',
  'GCONV_PATH',
  'PATH',
  'BASH_ENV',
  'ENV',
  'ZDOTDIR',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'PROMPT_COMMAND',
  'EDITOR',
  'VISUAL',
  'PAGER',
  'LESSOPEN',
  'SSH_ASKPASS',
  'NODE_OPTIONS',
  'NODE_PATH',
  'NPM_CONFIG_*',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONSTARTUP',
  'PYTHONUSERBASE',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'PERL5DB',
  'RUBYOPT',
  'RUBYLIB',
  'JAVA_TOOL_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'CLASSPATH',
  'GIT_*',
] as const;

const isRisky = (name: string) =>
  RISKY_NAMES.some((risky) => (risky.endsWith('*') ? name.startsWith(risky.slice(0, -1)) : name === risky));

/** Refuses to run when the environment `slug` sets a risky name not in `allowed`. */
export function refuseRiskyNames(names: string[], allowed: readonly string[], slug: string): void {
  const refused = names.filter((name) => isRisky(name) && !allowed.includes(name)).sort();
  if (refused.length === 0) return;
  throw new CliError(
    `Not running: ${slug} sets ${refused.join(', ')}, which make programs load or run code the value names. ` +
      `If you trust everyone who can write ${slug}, pass ${refused.map((name) => `--allow-name ${name}`).join(' ')}.`,
  );
}
