import type { ApiClient } from './api-client.js';

/** The API objects the CLI reads (the wire shapes of shared/api-objects.ts), and one method per route it calls. */
export interface GlobalSecret {
  id: string;
  name: string;
  description: string | null;
  isFile: boolean;
  version: number;
  /** When the credential stops working where it was issued; absent from a server older than expiry. */
  expiresAt?: string | null;
  createdAt: string;
  updatedAt?: string;
}

export interface GlobalSecretDetail extends GlobalSecret {
  linkedEnvironments?: { id: string; owner: string; name: string }[];
}

export interface EnvironmentSecret {
  id: string;
  name: string;
  source: 'environment' | 'global-linked';
  description: string | null;
  isFile?: boolean;
  version: number;
  expiresAt?: string | null;
  createdAt: string;
  updatedAt?: string;
}

export interface Link {
  id: string;
  secretId: string;
  secretName: string;
  environmentId: string;
  createdAt: string;
}

export interface Variable {
  id: string;
  name: string;
  value: string;
  description: string | null;
  version: number;
  createdAt: string;
  updatedAt?: string;
}

/** One kept version of a secret or variable, newest first in a list. */
export interface EntryVersion {
  version: number;
  createdAt: string;
  createdBy: { type: string; id: string };
  current: boolean;
  /** A variable's versions carry their value; a secret's never do. */
  value?: string;
}

/** What a deleted entry carries while it can be restored. */
export interface Deleted {
  deletedAt: string;
  purgeAt: string;
}

export interface SecretRestore {
  secret: GlobalSecret;
  relinked: string[];
  notRelinked: { environmentId: string; reason: 'name_taken' | 'environment_deleted' }[];
}

export interface Environment {
  id: string;
  owner: string;
  name: string;
  userId: string | null;
  teamId: string | null;
  createdAt: string;
}

export interface RuntimeSet {
  environmentId: string;
  env: Record<string, string>;
  sources: Record<string, string>;
  files: string[];
  resolvedAt: string;
}

/** A name an environment's code reads; the runtime read refuses a set without a non-optional one. */
export interface Requirement {
  name: string;
  description: string | null;
  optional: boolean;
  createdAt: string;
}

export interface RequirementBody {
  description?: string | null;
  optional?: boolean;
}

/** Whether a job can start, by name and source: never a value. */
export interface RuntimeCheck {
  ready: boolean;
  missing: string[];
  optionalMissing: string[];
  expired: string[];
  expiringSoon: { name: string; expiresAt: string }[];
  names: { name: string; source: string }[];
}

export interface WhoAmI {
  id: string;
  email: string;
  name: string;
  slug: string;
  scope: { teams: { teamId: string; slug: string; role: string }[] };
}

export interface UserTeam {
  teamId: string;
  name: string;
  slug: string;
  role: string;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  slug: string;
  role: string;
}

export interface EntryBody {
  name?: string;
  value?: string;
  description?: string;
  isFile?: boolean;
  /** null clears it. */
  expiresAt?: string | null;
}

const seg = encodeURIComponent;

/** A POST's body in a team's scope: routes take the scope of a POST from its body. */
const withTeam = (fields: object, teamId?: string) => (teamId ? { ...fields, teamId } : fields);

/**
 * The version and recovery routes, alike under the three prefixes (`/secrets`, an
 * environment's `/secrets` and `/variables`). `teamId`, the scope of a global secret, goes in
 * the query like every other /secrets/{id} call, and in a POST's body too, where API.md puts it.
 */
function history<T, R, D = T>(http: ApiClient, base: string, teamId?: string) {
  const query = { teamId };
  return {
    versions: (id: string) => http.list<EntryVersion>(`${base}/${seg(id)}/versions`, query),
    rollback: (id: string, version: number) =>
      http.post<T>(`${base}/${seg(id)}/rollback`, withTeam({ version }, teamId), query),
    deleted: () => http.list<D & Deleted>(base, { ...query, deleted: 'true' }),
    restore: (id: string, name?: string) =>
      http.post<R>(`${base}/${seg(id)}/restore`, withTeam(name === undefined ? {} : { name }, teamId), query),
  };
}

/** `If-Match: <version>`: the update applies only to that version (else 412). */
const ifMatch = (version?: number) => (version === undefined ? undefined : { 'if-match': String(version) });
const purgeParam = (purge?: boolean) => (purge ? 'true' : undefined);

export class PrimeApi {
  constructor(private readonly http: ApiClient) {}

  whoami = () => this.http.get<WhoAmI>('/user/whoami');
  teams = () => this.http.list<UserTeam>('/user/teams');
  members = (teamId: string) => this.http.list<Member>(`/teams/${seg(teamId)}/members`);

  environments = (teamId?: string) => this.http.list<Environment>('/environmentshub', { teamId });
  createEnvironment = (name: string, teamId?: string) =>
    this.http.post<Environment>('/environmentshub', withTeam({ name }, teamId));
  environmentBySlug = (owner: string, name: string) =>
    this.http.get<Environment>(`/environmentshub/${seg(owner)}/${seg(name)}/@latest`);

  secrets = (teamId?: string) => this.http.list<GlobalSecret>('/secrets/', { teamId });
  secret = (id: string, teamId?: string) => this.http.get<GlobalSecretDetail>(`/secrets/${seg(id)}`, { teamId });
  createSecret = (body: EntryBody, teamId?: string) =>
    this.http.post<GlobalSecret>('/secrets/', withTeam(body, teamId));
  updateSecret = (id: string, body: EntryBody, teamId?: string, version?: number) =>
    this.http.patch<GlobalSecret>(`/secrets/${seg(id)}`, body, { teamId }, ifMatch(version));
  deleteSecret = (id: string, teamId?: string, purge?: boolean) =>
    this.http.delete<unknown>(`/secrets/${seg(id)}`, { teamId, purge: purgeParam(purge) });
  secretHistory = (teamId?: string) =>
    history<GlobalSecret, SecretRestore, GlobalSecretDetail>(this.http, '/secrets', teamId);

  environmentSecrets = (envId: string) => this.http.list<EnvironmentSecret>(`${env(envId)}/secrets`);
  createEnvironmentSecret = (envId: string, body: EntryBody) =>
    this.http.post<EnvironmentSecret>(`${env(envId)}/secrets`, body);
  updateEnvironmentSecret = (envId: string, id: string, body: EntryBody, version?: number) =>
    this.http.patch<EnvironmentSecret>(`${env(envId)}/secrets/${seg(id)}`, body, {}, ifMatch(version));
  deleteEnvironmentSecret = (envId: string, id: string, purge?: boolean) =>
    this.http.delete<unknown>(`${env(envId)}/secrets/${seg(id)}`, { purge: purgeParam(purge) });
  environmentSecretHistory = (envId: string) =>
    history<EnvironmentSecret, EnvironmentSecret>(this.http, `${env(envId)}/secrets`);
  link = (envId: string, secretId: string) => this.http.post<Link>(`${env(envId)}/secrets/link/${seg(secretId)}`, {});
  unlink = (envId: string, secretId: string) =>
    this.http.delete<unknown>(`${env(envId)}/secrets/link/${seg(secretId)}`);

  variables = (envId: string) => this.http.list<Variable>(`${env(envId)}/variables`);
  createVariable = (envId: string, body: EntryBody) => this.http.post<Variable>(`${env(envId)}/variables`, body);
  updateVariable = (envId: string, id: string, body: EntryBody, version?: number) =>
    this.http.patch<Variable>(`${env(envId)}/variables/${seg(id)}`, body, {}, ifMatch(version));
  deleteVariable = (envId: string, id: string, purge?: boolean) =>
    this.http.delete<unknown>(`${env(envId)}/variables/${seg(id)}`, { purge: purgeParam(purge) });
  variableHistory = (envId: string) => history<Variable, Variable>(this.http, `${env(envId)}/variables`);

  requirements = (envId: string) => this.http.list<Requirement>(`${env(envId)}/requirements`);
  putRequirement = (envId: string, name: string, body: RequirementBody) =>
    this.http.put<Requirement>(`${env(envId)}/requirements/${seg(name)}`, body);
  removeRequirement = (envId: string, name: string) =>
    this.http.delete<Requirement>(`${env(envId)}/requirements/${seg(name)}`);

  /** `allowMissing` reads the set although a required name is missing (else 412 `missing_required`). */
  runtime = (envId: string, allowMissing = false) =>
    this.http.get<RuntimeSet>(`${env(envId)}/runtime`, { allowMissing: allowMissing ? 'true' : undefined });
  runtimeCheck = (envId: string) => this.http.get<RuntimeCheck>(`${env(envId)}/runtime/check`);
}

const env = (envId: string) => `/environmentshub/${seg(envId)}`;
