import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from './context.js';
import { CliError, UsageError } from './errors.js';
import type { Output } from './output.js';

/**
 * ENVIRONMENT as `owner/name`, or, when omitted, the `{owner, name}` of the folder's metadata
 * file (METADATA_FILES); resolved to the environment's id by slug.
 */
export interface EnvironmentRef {
  owner: string;
  name: string;
}

/**
 * Where the public client keeps the folder's environment, newest first: `./.prime/.env-metadata.json`,
 * else the older `./.env-metadata.json` (which it still reads). The first that exists is the one read.
 */
export const METADATA_FILES = [join('.prime', '.env-metadata.json'), '.env-metadata.json'] as const;

export function parseEnvironmentRef(text: string): EnvironmentRef {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(text);
  if (!match) throw new UsageError(`Invalid environment '${text}': use owner/name.`);
  return { owner: match[1]!, name: match[2]! };
}

/** The environment of the first metadata file in `cwd` that can be read, or undefined when there is none. */
export function readEnvironmentMetadata(cwd = process.cwd()): EnvironmentRef | undefined {
  for (const file of METADATA_FILES) {
    let text: string;
    try {
      text = readFileSync(join(cwd, file), 'utf8');
    } catch {
      continue;
    }
    return parseMetadata(file, text);
  }
  return undefined;
}

function parseMetadata(file: string, text: string): EnvironmentRef {
  let parsed: { owner?: unknown; name?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new CliError(`${file} is not valid JSON.`);
  }
  if (typeof parsed?.owner !== 'string' || typeof parsed.name !== 'string' || !parsed.owner || !parsed.name) {
    throw new CliError(`${file} must hold {"owner", "name"}.`);
  }
  return { owner: parsed.owner, name: parsed.name };
}

/** The reference given, else the folder's metadata (saying so), else an error. */
function environmentRef(given: string | undefined, out: Output): EnvironmentRef {
  if (given !== undefined) return parseEnvironmentRef(given);
  const found = readEnvironmentMetadata();
  if (!found) {
    throw new CliError(
      `No environment given: pass ENVIRONMENT as owner/name, or run where ${METADATA_FILES.join(' or ')} exists.`,
    );
  }
  out.note(`Using environment: ${found.owner}/${found.name}`);
  return found;
}

export interface ResolvedEnvironment extends EnvironmentRef {
  id: string;
  slug: string;
  /** The team owning it, null for a personal one: the scope of the global secrets it can link. */
  teamId: string | null;
  /** That scope in words. */
  scopeWhere: string;
}

export async function resolveEnvironment(given: string | undefined, ctx: Context): Promise<ResolvedEnvironment> {
  const ref = environmentRef(given, ctx.out);
  const environment = await ctx.api.environmentBySlug(ref.owner, ref.name);
  const teamId = environment.teamId ?? null;
  return {
    ...ref,
    id: environment.id,
    slug: `${ref.owner}/${ref.name}`,
    teamId,
    // A team's environment is owned by the team: `owner` is its slug.
    scopeWhere: teamId ? `team ${environment.owner}` : 'your personal scope',
  };
}
