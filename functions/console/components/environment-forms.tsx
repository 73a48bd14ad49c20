import type * as Api from '../../../shared/api-objects.js';
import { EnvironmentName } from '../../../shared/schemas.js';
import type { FormState } from '../forms.js';
import { inputRules } from '../input-rules.js';
import { environmentLabel, environmentPath } from './environment-link.js';
import { CsrfField, FormActions, HiddenField, TextField } from './fields.js';

/** The form names of New Environment and Delete Environment, which their cards show again after a refusal. */
export const CREATE_ENVIRONMENT_FORM = 'new-environment';
export const DELETE_ENVIRONMENT_FORM = 'delete-environment';

const NAME_RULES = inputRules(EnvironmentName);

/** New Environment, in the scope the list shows. */
export function NewEnvironmentCard(props: {
  csrfToken: string;
  teamId: string | null;
  /** Who will own it, as the page names the scope. */
  whose: string;
  state: FormState;
}) {
  return (
    <section class="card" aria-labelledby="new-environment-heading">
      <h2 id="new-environment-heading">New Environment</h2>
      <p class="hint">{`Owned by ${props.whose}. Its secrets, links and variables are added on its own page.`}</p>
      <form class="stack" method="post" action="/console/environments">
        <CsrfField token={props.csrfToken} />
        <HiddenField name="teamId" value={props.teamId} />
        <TextField
          state={props.state}
          name="name"
          label="Name"
          hint="Lowercase letters, digits, dots, underscores or hyphens; unique among this owner's environments."
          // The schema has no minimum length but its pattern's, which a browser skips on an empty field.
          {...NAME_RULES}
          required
        />
        <FormActions state={props.state} label="Create Environment" />
      </form>
    </section>
  );
}

/**
 * Delete Environment: what goes with it (everything in it, with no recently deleted copy), and
 * the environment's name to type out before the button does anything.
 */
export function DeleteEnvironmentCard(props: { env: Api.Environment; csrfToken: string; state: FormState }) {
  const { env } = props;
  return (
    <section class="card card-danger" aria-labelledby="delete-environment-heading">
      <h2 id="delete-environment-heading">Delete Environment</h2>
      <p>
        {`Deletes ${environmentLabel(env)} with all its direct secrets, links and variables, at once and for good: none of them can be restored. The global secrets it links stay.`}
      </p>
      <form class="stack" method="post" action={`${environmentPath(env.id)}/delete`}>
        <CsrfField token={props.csrfToken} />
        <TextField state={props.state} name="confirm" label={`Type ${env.name} to confirm`} value="" required />
        <FormActions state={props.state} label="Delete Environment" danger />
      </form>
    </section>
  );
}
