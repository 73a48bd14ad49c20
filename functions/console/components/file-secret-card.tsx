import { FILE_SECRET_MAX_BYTES } from '../../../shared/schemas.js';
import { stateFor, type FormState } from '../forms.js';
import { DESCRIPTION_RULES, NAME_HINT, NAME_RULES } from './entry-fields.js';
import { CsrfField, FileField, FormActions, HiddenField, TextField } from './fields.js';

/** The form name of Add File Secret, which its card shows again after a refusal. */
export const FILE_SECRET_FORM = 'add-file-secret';

const bytes = new Intl.NumberFormat('en-US');

/** The largest file a file secret holds, in words: "49,152 bytes (48 KiB)". */
export const FILE_LIMIT_WORDS = `${bytes.format(FILE_SECRET_MAX_BYTES)} bytes (${FILE_SECRET_MAX_BYTES / 1024} KiB)`;

/** Add File Secret: a secret whose value is a file's content, uploaded (a certificate, a key file, a config). */
export function FileSecretCard(props: {
  action: string;
  csrfToken: string;
  teamId?: string | null | undefined;
  hint: string;
  failed?: FormState | undefined;
}) {
  const state = stateFor(FILE_SECRET_FORM, props.failed);
  return (
    <section class="card" aria-labelledby="add-file-secret-heading">
      <h2 id="add-file-secret-heading">Add File Secret</h2>
      <p class="hint">{props.hint}</p>
      <form class="stack" method="post" action={props.action} enctype="multipart/form-data">
        <CsrfField token={props.csrfToken} />
        <HiddenField name="teamId" value={props.teamId} />
        <TextField state={state} name="name" label="Name" hint={NAME_HINT} kind="name" {...NAME_RULES} />
        <FileField
          state={state}
          name="file"
          label="File"
          hint={`At most ${FILE_LIMIT_WORDS}. Stored encrypted; never shown again. A job gets it as a file.`}
          required
        />
        <TextField state={state} name="description" label="Description" {...DESCRIPTION_RULES} />
        <FormActions state={state} label="Add File Secret" />
      </form>
    </section>
  );
}
