import type { ApiClient } from './api-client.js';

/** The API objects the CLI reads (the wire shapes of shared/api-objects.ts), and one method per route it calls. */
export interface GlobalSecret {
  id: string;
  name: string;
  description: string | null;
  isFile: boolean;
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
  createdAt: string;
  updatedAt?: string;
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

export interface EntryBody {
  name?: string;
  value?: string;
  description?: string;
  isFile?: boolean;
}

const seg = encodeURIComponent;

export class PrimeApi {
  constructor(private readonly http: ApiClient) {}

  whoami = () => this.http.get<WhoAmI>('/user/whoami');
  teams = () => this.http.list<UserTeam>('/user/teams');

  environments = (teamId?: string) => this.http.list<Environment>('/environmentshub', { teamId });
  createEnvironment = (name: string, teamId?: string) =>
    this.http.post<Environment>('/environmentshub', teamId ? { name, teamId } : { name });
  environmentBySlug = (owner: string, name: string) =>
    this.http.get<Environment>(`/environmentshub/${seg(owner)}/${seg(name)}/@latest`);

  secrets = (teamId?: string) => this.http.list<GlobalSecret>('/secrets/', { teamId });
  secret = (id: string, teamId?: string) => this.http.get<GlobalSecretDetail>(`/secrets/${seg(id)}`, { teamId });
  createSecret = (body: EntryBody, teamId?: string) =>
    this.http.post<GlobalSecret>('/secrets/', teamId ? { ...body, teamId } : body);
  updateSecret = (id: string, body: EntryBody, teamId?: string) =>
    this.http.patch<GlobalSecret>(`/secrets/${seg(id)}`, body, { teamId });
  deleteSecret = (id: string, teamId?: string) => this.http.delete<unknown>(`/secrets/${seg(id)}`, { teamId });

  environmentSecrets = (envId: string) => this.http.list<EnvironmentSecret>(`${env(envId)}/secrets`);
  createEnvironmentSecret = (envId: string, body: EntryBody) =>
    this.http.post<EnvironmentSecret>(`${env(envId)}/secrets`, body);
  updateEnvironmentSecret = (envId: string, id: string, body: EntryBody) =>
    this.http.patch<EnvironmentSecret>(`${env(envId)}/secrets/${seg(id)}`, body);
  deleteEnvironmentSecret = (envId: string, id: string) =>
    this.http.delete<unknown>(`${env(envId)}/secrets/${seg(id)}`);
  link = (envId: string, secretId: string) => this.http.post<Link>(`${env(envId)}/secrets/link/${seg(secretId)}`, {});
  unlink = (envId: string, secretId: string) =>
    this.http.delete<unknown>(`${env(envId)}/secrets/link/${seg(secretId)}`);

  variables = (envId: string) => this.http.list<Variable>(`${env(envId)}/variables`);
  createVariable = (envId: string, body: EntryBody) => this.http.post<Variable>(`${env(envId)}/variables`, body);
  updateVariable = (envId: string, id: string, body: EntryBody) =>
    this.http.patch<Variable>(`${env(envId)}/variables/${seg(id)}`, body);
  deleteVariable = (envId: string, id: string) => this.http.delete<unknown>(`${env(envId)}/variables/${seg(id)}`);

  runtime = (envId: string) => this.http.get<RuntimeSet>(`${env(envId)}/runtime`);
}

const env = (envId: string) => `/environmentshub/${seg(envId)}`;
