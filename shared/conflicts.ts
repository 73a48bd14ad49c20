import type { EntryInfo } from './data/entries.js';
import { conflict, type ApiError } from './errors.js';

/**
 * The 409s of the conflict and scope rules, worded once: each says what holds the name
 * and what to do.
 */
function describeHolder(holder: EntryInfo | undefined): string {
  switch (holder?.kind) {
    case 'secret':
      return 'a direct secret';
    case 'variable':
      return 'an environment variable';
    case 'link':
      return `linked global secret ${holder.secretId}`;
    default:
      return 'another entry';
  }
}

function remedy(holder: EntryInfo | undefined): string {
  switch (holder?.kind) {
    case 'secret':
      return 'Rename or remove the existing direct secret first, then link the global secret.';
    case 'variable':
      return 'Rename or remove that environment variable before adding or linking the secret.';
    case 'link':
      return `Unlink global secret ${holder.secretId} first.`;
    default:
      return 'Choose another name.';
  }
}

export function nameTakenInEnvironment(name: string, holder: EntryInfo | undefined): ApiError {
  return conflict(
    'name_taken',
    `The name ${name} is already used in this environment by ${describeHolder(holder)}. ${remedy(holder)}`,
  );
}

/** A restore onto a name used again since the delete: restore under another name, or free it. */
export function nameTakenOnRestore(name: string, holder: EntryInfo | undefined): ApiError {
  return conflict(
    'name_taken',
    `The name ${name} is already used in this environment by ${describeHolder(holder)}. Restore it under another name (pass "name"), or rename or remove that entry first.`,
  );
}

export function nameTakenInLinkedEnvironments(
  name: string,
  places: { environment: string; holder: EntryInfo }[],
): ApiError {
  const list = places.map((p) => `${p.environment} (${describeHolder(p.holder)})`).join(', ');
  return conflict(
    'name_taken',
    `The name ${name} is already used in linked environments: ${list}. Rename or remove those entries first, or choose another name.`,
  );
}

export const globalNameTaken = (name: string) =>
  conflict(
    'name_taken',
    `A global secret named ${name} already exists in this scope. Choose another name or update that secret.`,
  );

export const scopeMismatch = () =>
  conflict(
    'scope_mismatch',
    'This global secret belongs to another scope. Make sure the secret exists in the same scope (personal vs team) as the environment.',
  );

export const alreadyLinked = (secretId: string) =>
  conflict('already_linked', `Global secret ${secretId} is already linked to this environment.`);

export const isLinked = (secretId: string) =>
  conflict(
    'is_linked',
    `This is linked global secret ${secretId}, not a direct secret. Unlink it from the environment instead (prime env secret unlink ${secretId}), or change it as a global secret.`,
  );

export const environmentFull = (limit: number) =>
  conflict(
    'limit_exceeded',
    `An environment holds at most ${limit} entries (direct secrets, linked secrets and variables).`,
  );

/** An owner's or a user's cap (a setting of the service) reached: 409 naming it. */
export const limitReached = (rule: string, setting: string) =>
  conflict('limit_reached', `${rule} (the ${setting} limit).`);

export const slugTaken = (slug: string) =>
  conflict('slug_taken', `The slug "${slug}" is already taken by a user or a team. Choose another one.`);
