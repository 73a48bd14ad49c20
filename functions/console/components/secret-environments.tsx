import type * as Api from '../../../shared/api-objects.js';
import { orphanedError, stateFor, type FormState } from '../forms.js';
import { EnvironmentLink, environmentLabel } from './environment-link.js';
import { CsrfField, FormError, HiddenField } from './fields.js';
import { LinkPicker, type LinkChoice } from './link-picker.js';

/** The form names of a global secret's Link to Environment, and of each environment's Unlink (`unlink-env-<envId>`). */
export const LINK_ENVIRONMENT_FORM = 'link-environment';
const UNLINK_PREFIX = 'unlink-env-';
export const unlinkEnvironmentForm = (envId: string) => `${UNLINK_PREFIX}${envId}`;

/**
 * A global secret's environments, as a repository secret's "selected repositories": those it is
 * linked to, each with Unlink, and Link to Environment among the others of its scope (`choices`;
 * undefined for a reader, who sees the list only).
 */
export function SecretEnvironments(props: {
  secret: Api.GlobalSecretDetail;
  teamId: string | null;
  csrfToken: string;
  choices: LinkChoice[] | undefined;
  failed?: FormState | undefined;
}) {
  const { secret, failed } = props;
  const base = `/console/secrets/${secret.id}/links`;
  // An unlink refused for an environment no longer listed (unlinked or deleted meanwhile): said above the list.
  const orphan = orphanedError(
    failed,
    UNLINK_PREFIX,
    secret.linkedEnvironments.map((e) => unlinkEnvironmentForm(e.id)),
    true,
  );
  return (
    <section class="card" aria-labelledby="linked-heading">
      <h2 id="linked-heading">Linked environments</h2>
      <FormError message={orphan} />
      {secret.linkedEnvironments.length === 0 ? (
        <p class="empty">Not linked to any environment yet.</p>
      ) : (
        <ul class="links-list">
          {secret.linkedEnvironments.map((e) => (
            <li>
              <EnvironmentLink env={e} />
              {props.choices ? (
                <form method="post" action={`${base}/${e.id}/delete`} class="inline-form">
                  {' · '}
                  <CsrfField token={props.csrfToken} />
                  <HiddenField name="teamId" value={props.teamId} />
                  <button type="submit" class="button-link" aria-label={`Unlink from ${environmentLabel(e)}`}>
                    Unlink
                  </button>
                  <FormError message={failed?.form === unlinkEnvironmentForm(e.id) ? failed.formError : undefined} />
                </form>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {props.choices ? (
        <>
          <h3 id="link-environment-heading">Link to Environment</h3>
          <LinkPicker
            action={base}
            csrfToken={props.csrfToken}
            teamId={props.teamId}
            state={stateFor(LINK_ENVIRONMENT_FORM, failed)}
            name="envId"
            label="Environment"
            placeholder="Choose an environment…"
            choices={props.choices}
            button="Link to Environment"
            nothing={
              props.choices.length === 0
                ? 'No environment to link to: this scope has none that does not link it already.'
                : `No environment can take it: each one left already uses the name ${secret.name}.`
            }
          />
        </>
      ) : null}
    </section>
  );
}
