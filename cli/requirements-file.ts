import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LIMITS } from '../shared/rules.js';
import type { RequirementBody } from './api.js';
import { CliError } from './errors.js';

/**
 * `.prime/requirements.json`: the names an environment's code reads, kept with the code beside
 * `.prime/.env-metadata.json` (in a file of its own: that one is the public client's, which writes it).
 *
 *   {"requirements": [{"name": "JUDGE_API_KEY", "description": "the judge model"},
 *                     {"name": "WANDB_API_KEY", "optional": true}]}
 *
 * `name` keeps the service's name rule; `description` (at most 500 characters) and `optional`
 * (default false) are those of `PUT …/requirements/{name}`. The whole file is checked with the
 * service's own schemas before anything is sent, and unknown fields are refused: a misspelt
 * "optinal" must not make a name required without anyone noticing.
 */
export const REQUIREMENTS_FILE = join('.prime', 'requirements.json');

export interface DeclaredRequirement extends Required<RequirementBody> {
  name: string;
}

export async function readRequirementsFile(path: string): Promise<DeclaredRequirement[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON.`);
  }
  // Loaded only here: the schema module is much of the CLI's start-up time.
  const [{ z }, { EntryName, RequirementBody }] = await Promise.all([
    import('@hono/zod-openapi'),
    import('../shared/schemas.js'),
  ]);
  const max = LIMITS.requirementsPerEnvironment;
  const result = z
    .strictObject({
      requirements: z
        .array(z.strictObject({ name: EntryName, ...RequirementBody.shape }))
        .max(max, `an environment holds at most ${max} requirements`),
    })
    .safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
      return where ? `${where.replace(/^\./, '')}: ${issue.message}` : issue.message;
    });
    throw new CliError(`Invalid ${path}: ${problems.join('; ')}.`);
  }
  const declared = result.data.requirements;
  const twice = declared.map((r) => r.name).filter((name, i, names) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new CliError(`Invalid ${path}: ${[...new Set(twice)].join(', ')} declared twice.`);
  return declared.map((r) => ({ name: r.name, description: r.description ?? null, optional: r.optional === true }));
}
