/** An environment as the console names it (`owner/name`) and where it opens (its Secrets tab). */
export const environmentLabel = (env: { owner: string; name: string }) => `${env.owner}/${env.name}`;

export const environmentPath = (envId: string) => `/console/environments/${envId}`;

export const EnvironmentLink = (props: { env: { id: string; owner: string; name: string } }) => (
  <a href={environmentPath(props.env.id)}>{environmentLabel(props.env)}</a>
);
