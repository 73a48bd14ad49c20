import type { EnvironmentSecret, GlobalSecret, Link } from './api.js';

/** The JSON documents of the list and link commands, with the public client's fields (and `expiresAt`). */
export const secretListJson = (secrets: GlobalSecret[]) => ({
  secrets: secrets.map((s) => ({
    id: s.id,
    name: s.name,
    description: s.description,
    createdAt: s.createdAt,
    ...(s.updatedAt === undefined ? {} : { updatedAt: s.updatedAt }),
    ...(s.expiresAt === undefined ? {} : { expiresAt: s.expiresAt }),
  })),
});

export const environmentSecretListJson = (secrets: EnvironmentSecret[]) => ({
  secrets: secrets.map((s) => ({
    id: s.id,
    name: s.name,
    source: s.source,
    description: s.description,
    createdAt: s.createdAt,
    ...(s.updatedAt === undefined ? {} : { updatedAt: s.updatedAt }),
    ...(s.expiresAt === undefined ? {} : { expiresAt: s.expiresAt }),
  })),
});

export const linkJson = (link: Link) => ({
  id: link.id,
  secretId: link.secretId,
  secretName: link.secretName,
  environmentId: link.environmentId,
  createdAt: link.createdAt,
});
