import type { EntryInfo } from './data/entries.js';
import { conflict, type ApiError } from './errors.js';

/**
 * The 409s of the conflict and scope rules, worded once: each says what holds the name and
 * what to do, in words that fit what the caller was doing, naming a linked secret by its name.
 */

/** What the caller was doing with the name: adding or renaming a direct secret or variable, restoring one, linking. */
export type NameUse = { action: 'create' | 'rename' | 'restore'; kind: 'secret' | 'variable' } | { action: 'link' };

/** A linked global secret as the caller sees it: its name, then its id. */
const linkedSecret = (link: { name: string; secretId: string }) => `global secret ${link.name} (${link.secretId})`;

function describeHolder(holder: EntryInfo | undefined): string {
  switch (holder?.kind) {
    case 'secret':
      return 'a direct secret';
    case 'variable':
      return 'an environment variable';
    case 'link':
      return `linked ${linkedSecret(holder)}`;
    default:
      return 'another entry';
  }
}

/** How to free the name, as a clause: "rename or remove the existing direct secret". */
function freeing(holder: EntryInfo | undefined): string {
  switch (holder?.kind) {
    case 'secret':
      return 'rename or remove the existing direct secret';
    case 'variable':
      return 'rename or remove that environment variable';
    case 'link':
      return `unlink ${linkedSecret(holder)}`;
    default:
      return 'rename or remove that entry';
  }
}

const KIND_WORDS = { secret: 'direct secret', variable: 'variable' } as const;
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function remedy(use: NameUse, holder: EntryInfo | undefined): string {
  switch (use.action) {
    case 'link':
      // The product page's words for a link.
      if (holder?.kind === 'variable')
        return 'Rename or remove that environment variable before adding or linking the secret.';
      return `${capitalized(freeing(holder))} first, then link the global secret.`;
    case 'create':
      // The same kind holds it: the caller most likely meant to change that one.
      if (holder?.kind === use.kind) return `Update that ${KIND_WORDS[use.kind]} instead, or choose another name.`;
      return `Choose another name, or ${freeing(holder)} first, then add the ${KIND_WORDS[use.kind]}.`;
    case 'rename':
      return `Choose another name, or ${freeing(holder)} first.`;
    case 'restore':
      return `Restore it under another name (pass "name"), or ${freeing(holder)} first.`;
  }
}

/** A create, rename, restore or link onto a name the environment already uses. */
export function nameTakenInEnvironment(name: string, holder: EntryInfo | undefined, use: NameUse): ApiError {
  return conflict(
    'name_taken',
    `The name ${name} is already used in this environment by ${describeHolder(holder)}. ${remedy(use, holder)}`,
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

export const alreadyLinked = (link: { name: string; secretId: string }) =>
  conflict('already_linked', `${capitalized(linkedSecret(link))} is already linked to this environment.`);

export const isLinked = (link: { name: string; secretId: string }) =>
  conflict(
    'is_linked',
    `This is linked ${linkedSecret(link)}, not a direct secret. Unlink it from the environment instead (prime env secret unlink ${link.name}), or change it as a global secret (prime secret update ${link.name}).`,
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
