import type { FormState } from '../forms.js';
import { CheckboxField, CsrfField, FormActions, HiddenField } from './fields.js';

/** The card that deletes one secret or variable: what the deletion does, and a box to tick first. */
export function DeleteCard(props: {
  title: string;
  warning: string;
  /** The name of what is deleted, in the confirmation's label. */
  name: string;
  action: string;
  csrfToken: string;
  teamId?: string | null | undefined;
  state: FormState;
}) {
  return (
    <section class="card card-danger" aria-labelledby="delete-heading">
      <h2 id="delete-heading">{props.title}</h2>
      <p>{props.warning}</p>
      <form class="stack" method="post" action={props.action}>
        <CsrfField token={props.csrfToken} />
        <HiddenField name="teamId" value={props.teamId} />
        <CheckboxField state={props.state} name="confirm" label={`Yes, delete ${props.name}`} />
        <FormActions state={props.state} label={props.title} danger />
      </form>
    </section>
  );
}
