import type { FormState } from '../forms.js';
import { FormError } from './fields.js';

/** In place of the forms for a team viewer; a refused (crafted) submit is still said in words. */
export const ReadOnly = (props: { role: string; failed?: FormState | undefined }) => (
  <div>
    <p class="readonly">
      Your role in this team is <strong>{props.role}</strong>: you can see names, sources and variables, but not change
      them.
    </p>
    <FormError message={props.failed?.formError} />
  </div>
);
