import type { ApiClient } from './api-client.js';
import type { z } from 'zod';
import type * as Api from '../shared/api-objects.js';
import type * as Bodies from '../shared/schemas.js';

/**
 * The wire shapes are the service's own (shared/api-objects.ts, shared/schemas.ts), imported as
 * types only: the bundled CLI carries none of the service's code for them.
 */
export type {
  ApiKey,
  Environment,
  EnvironmentSecret,
  GlobalSecret,
  GlobalSecretDetail,
  Link,
  NewApiKey,
  Member,
  RestoredGlobalSecret,
  RuntimeCheck,
  RuntimeSet,
  Requirement,
  UserTeam,
  ValueVersion,
  Variable,
  WhoAmI,
} from '../shared/api-objects.js';

/** What a deleted entry carries while it can be restored. */
export type Deletion = Pick<Api.DeletedVariable, 'deletedAt' | 'purgeAt'>;

/** The fields the CLI sends when it creates or updates a secret or variable (`null` clears an expiry). */
export type EntryBody = Omit<Partial<z.input<typeof Bodies.CreateGlobalSecretBody>>, 'teamId'>;
export type RequirementBody = z.input<typeof Bodies.RequirementBody>;
export type KeyScope = Bodies.KeyScope;

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
    versions: (id: string) => http.list<Api.ValueVersion>(`${base}/${seg(id)}/versions`, query),
    rollback: (id: string, version: number) =>
      http.post<T>(`${base}/${seg(id)}/rollback`, withTeam({ version }, teamId), query),
    deleted: () => http.list<D & Deletion>(base, { ...query, deleted: 'true' }),
    restore: (id: string, name?: string) =>
      http.post<R>(`${base}/${seg(id)}/restore`, withTeam(name === undefined ? {} : { name }, teamId), query),
  };
}

/** `If-Match: <version>`: the update applies only to that version (else 412). */
const ifMatch = (version?: number) => (version === undefined ? undefined : { 'if-match': String(version) });
const purgeParam = (purge?: boolean) => (purge ? 'true' : undefined);

export class PrimeApi {
  constructor(private readonly http: ApiClient) {}

  whoami = () => this.http.get<Api.WhoAmI>('/user/whoami');
  teams = () => this.http.list<Api.UserTeam>('/user/teams');
  members = (teamId: string) => this.http.list<Api.Member>(`/teams/${seg(teamId)}/members`);

  apiKeys = () => this.http.list<Api.ApiKey>('/user/api-keys');
  createApiKey = (name: string, scopes?: KeyScope[]) =>
    this.http.post<Api.NewApiKey>('/user/api-keys', scopes ? { name, scopes } : { name });
  revokeApiKey = (id: string) => this.http.delete<Api.ApiKey>(`/user/api-keys/${seg(id)}`);

  environments = (teamId?: string) => this.http.list<Api.Environment>('/environmentshub', { teamId });
  createEnvironment = (name: string, teamId?: string) =>
    this.http.post<Api.Environment>('/environmentshub', withTeam({ name }, teamId));
  environmentBySlug = (owner: string, name: string) =>
    this.http.get<Api.Environment>(`/environmentshub/${seg(owner)}/${seg(name)}/@latest`);

  secrets = (teamId?: string) => this.http.list<Api.GlobalSecret>('/secrets/', { teamId });
  secret = (id: string, teamId?: string) => this.http.get<Api.GlobalSecretDetail>(`/secrets/${seg(id)}`, { teamId });
  createSecret = (body: EntryBody, teamId?: string) =>
    this.http.post<Api.GlobalSecret>('/secrets/', withTeam(body, teamId));
  updateSecret = (id: string, body: EntryBody, teamId?: string, version?: number) =>
    this.http.patch<Api.GlobalSecret>(`/secrets/${seg(id)}`, body, { teamId }, ifMatch(version));
  deleteSecret = (id: string, teamId?: string, purge?: boolean) =>
    this.http.delete<unknown>(`/secrets/${seg(id)}`, { teamId, purge: purgeParam(purge) });
  secretHistory = (teamId?: string) =>
    history<Api.GlobalSecret, Api.RestoredGlobalSecret, Api.GlobalSecretDetail>(this.http, '/secrets', teamId);

  environmentSecrets = (envId: string) => this.http.list<Api.EnvironmentSecret>(`${env(envId)}/secrets`);
  createEnvironmentSecret = (envId: string, body: EntryBody) =>
    this.http.post<Api.EnvironmentSecret>(`${env(envId)}/secrets`, body);
  updateEnvironmentSecret = (envId: string, id: string, body: EntryBody, version?: number) =>
    this.http.patch<Api.EnvironmentSecret>(`${env(envId)}/secrets/${seg(id)}`, body, {}, ifMatch(version));
  deleteEnvironmentSecret = (envId: string, id: string, purge?: boolean) =>
    this.http.delete<unknown>(`${env(envId)}/secrets/${seg(id)}`, { purge: purgeParam(purge) });
  environmentSecretHistory = (envId: string) =>
    history<Api.EnvironmentSecret, Api.EnvironmentSecret>(this.http, `${env(envId)}/secrets`);
  link = (envId: string, secretId: string) =>
    this.http.post<Api.Link>(`${env(envId)}/secrets/link/${seg(secretId)}`, {});
  unlink = (envId: string, secretId: string) =>
    this.http.delete<unknown>(`${env(envId)}/secrets/link/${seg(secretId)}`);

  variables = (envId: string) => this.http.list<Api.Variable>(`${env(envId)}/variables`);
  createVariable = (envId: string, body: EntryBody) => this.http.post<Api.Variable>(`${env(envId)}/variables`, body);
  updateVariable = (envId: string, id: string, body: EntryBody, version?: number) =>
    this.http.patch<Api.Variable>(`${env(envId)}/variables/${seg(id)}`, body, {}, ifMatch(version));
  deleteVariable = (envId: string, id: string, purge?: boolean) =>
    this.http.delete<unknown>(`${env(envId)}/variables/${seg(id)}`, { purge: purgeParam(purge) });
  variableHistory = (envId: string) => history<Api.Variable, Api.Variable>(this.http, `${env(envId)}/variables`);

  requirements = (envId: string) => this.http.list<Api.Requirement>(`${env(envId)}/requirements`);
  putRequirement = (envId: string, name: string, body: RequirementBody) =>
    this.http.put<Api.Requirement>(`${env(envId)}/requirements/${seg(name)}`, body);
  removeRequirement = (envId: string, name: string) =>
    this.http.delete<Api.Requirement>(`${env(envId)}/requirements/${seg(name)}`);

  /** `allowMissing` reads the set although a required name is missing (else 412 `missing_required`). */
  runtime = (envId: string, allowMissing = false) =>
    this.http.get<Api.RuntimeSet>(`${env(envId)}/runtime`, { allowMissing: allowMissing ? 'true' : undefined });
  audit = (most: number, filter: { teamId?: string | undefined; environmentId?: string | undefined }) =>
    this.http.listByCursor<Api.AuditEvent>('/audit', filter, most);
  runtimeCheck = (envId: string) => this.http.get<Api.RuntimeCheck>(`${env(envId)}/runtime/check`);
}

const env = (envId: string) => `/environmentshub/${seg(envId)}`;
