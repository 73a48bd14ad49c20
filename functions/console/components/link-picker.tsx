import type * as Api from '../../../shared/api-objects.js';
import type { LinkCandidate } from '../../../shared/services/link-candidates.js';
import type { FormState } from '../forms.js';
import { environmentLabel } from './environment-link.js';
import { CsrfField, FormActions, FormError, HiddenField, SelectField } from './fields.js';

/** What holds a name in an environment, as the console says it. */
export const HOLDER_WORDS = {
  secret: 'a direct secret',
  variable: 'a variable',
  link: 'a linked global secret',
} as const;

export type Holder = keyof typeof HOLDER_WORDS;

/** One choice of a link picker; `taken`: why it cannot be linked (its name is used there already). */
export interface LinkChoice {
  value: string;
  label: string;
  taken?: string | undefined;
}

/** An environment's picker: the global secrets of its scope not linked to it, those whose name it uses disabled. */
export function secretChoices(
  globals: Api.GlobalSecret[],
  secrets: Api.EnvironmentSecret[],
  variables: Api.Variable[],
): LinkChoice[] {
  const linked = new Set(secrets.filter((s) => s.source === 'global-linked').map((s) => s.id));
  const holders = new Map<string, Holder>([
    ...variables.map((v) => [v.name, 'variable'] as const),
    ...secrets.map((s) => [s.name, s.source === 'environment' ? 'secret' : 'link'] as const),
  ]);
  return globals
    .filter((g) => !linked.has(g.id))
    .map((g) => {
      const holder = holders.get(g.name);
      return { value: g.id, label: g.name, taken: holder && `name already used here by ${HOLDER_WORDS[holder]}` };
    });
}

/** A global secret's picker: the environments of its scope it is not linked to, those using its name disabled. */
export const environmentChoices = (candidates: LinkCandidate[]): LinkChoice[] =>
  candidates.map(({ environment, holder }) => ({
    value: environment.id,
    label: environmentLabel(environment),
    taken: holder && `name already used there by ${HOLDER_WORDS[holder]}`,
  }));

/**
 * A form that links a global secret to an environment, from either side. Choices that cannot be
 * linked are shown disabled with the reason; with none left to pick the form has no button, and
 * says why (a refused submit, e.g. a forged one, is still said).
 */
export function LinkPicker(props: {
  action: string;
  csrfToken: string;
  teamId?: string | null | undefined;
  state: FormState;
  name: string;
  label: string;
  choices: LinkChoice[];
  placeholder: string;
  button: string;
  /** Said when nothing can be picked. */
  nothing: string;
}) {
  const { state, choices } = props;
  const open = choices.filter((c) => c.taken === undefined);
  if (open.length === 0) {
    const refused = [...(state.fieldErrors[props.name] ?? []), ...(state.formError ? [state.formError] : [])];
    return (
      <div class="stack">
        <p class="empty">{props.nothing}</p>
        {choices.length > 0 ? (
          <ul class="taken-list">
            {choices.map((c) => (
              <li>
                <span class="mono">{c.label}</span>: {c.taken}
              </li>
            ))}
          </ul>
        ) : null}
        <FormError message={refused.length > 0 ? refused.join(' ') : undefined} id={`${state.form}-error`} />
      </div>
    );
  }
  return (
    <form class="stack" method="post" action={props.action}>
      <CsrfField token={props.csrfToken} />
      <HiddenField name="teamId" value={props.teamId} />
      <SelectField
        state={state}
        name={props.name}
        label={props.label}
        placeholder={props.placeholder}
        options={choices.map((c) => ({
          value: c.value,
          label: c.taken === undefined ? c.label : `${c.label} (${c.taken})`,
          disabled: c.taken !== undefined,
        }))}
        required
      />
      <FormActions state={state} label={props.button} />
    </form>
  );
}
