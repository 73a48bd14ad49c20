import type { LinkEntry } from '../data/entries.js';
import type { GlobalSecretRecord } from '../data/global-secrets.js';

/**
 * The name a link goes by: its entry's, but the secret's new one while a rename in chunks has
 * committed and not yet moved this entry, so that every reader switches at the commit.
 */
export function linkedName(link: LinkEntry, secret: GlobalSecretRecord): string {
  const rename = secret.rename;
  return rename && secret.name === rename.to && link.name === rename.from ? secret.name : link.name;
}
