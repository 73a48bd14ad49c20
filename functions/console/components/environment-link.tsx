/** An environment as the console names it (`owner/name`) and where its Secrets tab is. */
export const environmentLabel = (env: { owner: string; name: string }) => `${env.owner}/${env.name}`;

export const environmentPath = (envId: string) => `/console/environments/${envId}`;

export const EnvironmentLink = (props: { env: { id: string; owner: string; name: string } }) => (
  <a href={environmentPath(props.env.id)}>{environmentLabel(props.env)}</a>
);
