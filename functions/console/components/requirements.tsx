import type * as Api from '../../../shared/api-objects.js';
import type { Source } from '../../../shared/resolver.js';
import { orphanedError, stateFor, type FormState } from '../forms.js';
import { SourceBadge } from './badges.js';
import { DESCRIPTION_RULES, NAME_HINT, NAME_RULES } from './entry-fields.js';
import { environmentPath } from './environment-link.js';
import { Expiry } from './expiry.js';
import { CheckboxField, CsrfField, FormActions, FormError, TextField } from './fields.js';
import { TableHead } from './table-head.js';
import { Table } from './table.js';

/** The form that adds a requirement, and the one that removes the requirement `name` (its error beside its button). */
export const ADD_REQUIREMENT_FORM = 'add-requirement';
export const removeRequirementForm = (name: string) => `unrequire-${name}`;

interface RequirementsProps {
  envId: string;
  requirements: Api.Requirement[];
  /** The runtime check: names and sources only, never a value. */
  check: Api.RuntimeCheck;
  csrfToken: string;
  /** Without write access the requirements are listed without the forms. */
  writable: boolean;
  failed?: FormState | undefined;
}

/** How a required name stands in the runtime set. */
type NameState =
  { kind: 'set'; source: Source; expiresAt: string | null } | { kind: 'expired'; source: Source } | { kind: 'missing' };

function nameState(name: string, check: Api.RuntimeCheck): NameState {
  const seen = check.names.find((n) => n.name === name);
  if (!seen) return { kind: 'missing' };
  if (check.expired.includes(name)) return { kind: 'expired', source: seen.source };
  const soon = check.expiringSoon.find((s) => s.name === name);
  return { kind: 'set', source: seen.source, expiresAt: soon?.expiresAt ?? null };
}

/**
 * Requirements: the names the environment's code reads, each ✓ or ✗ against the runtime set,
 * whether a job can start, and (for writers) Add requirement and Remove.
 */
export function RequirementsSection(props: RequirementsProps) {
  return (
    <section class="card" id="requirements" aria-labelledby="requirements-heading">
      <h2 id="requirements-heading">Requirements</h2>
      <p class="hint">
        The names this environment&rsquo;s code reads. A job is not ready while a required one is missing or expired; an
        optional one may be missing.
      </p>
      <Readiness {...props} />
      <FormError
        message={orphanedError(
          props.failed,
          'unrequire-',
          props.requirements.map((r) => removeRequirementForm(r.name)),
          props.writable,
        )}
      />
      <div class={props.writable ? 'split' : undefined}>
        <RequirementsTable {...props} />
        {props.writable ? <AddRequirementForm {...props} /> : null}
      </div>
    </section>
  );
}

/** The summary line: ready for a job, or what is missing and what has expired, by name. */
function Readiness(props: RequirementsProps) {
  const { check, requirements } = props;
  if (requirements.length === 0) return null;
  const expired = requirements.filter((r) => !r.optional && check.expired.includes(r.name)).map((r) => r.name);
  const reasons = [
    check.missing.length > 0 ? `Missing: ${check.missing.join(', ')}.` : '',
    expired.length > 0 ? `Expired: ${expired.join(', ')}.` : '',
    check.optionalMissing.length > 0 ? `Optional, not set: ${check.optionalMissing.join(', ')}.` : '',
  ].filter(Boolean);
  return (
    <p class={check.ready ? 'readiness readiness-ready' : 'readiness readiness-blocked'} id="readiness">
      <span aria-hidden="true">{check.ready ? '✓ ' : '✗ '}</span>
      <strong>{check.ready ? 'Ready for a job.' : 'Not ready for a job.'}</strong>
      {reasons.length > 0 ? ` ${reasons.join(' ')}` : ''}
    </p>
  );
}

function RequirementsTable(props: RequirementsProps) {
  if (props.requirements.length === 0) {
    return <p class="empty">No requirements yet: add the names your code reads, to see whether a job can start.</p>;
  }
  return (
    <Table>
      <TableHead columns={['Name', 'Status', 'Description']} />
      <tbody>
        {props.requirements.map((r) => (
          <tr>
            <td class="name">
              {r.name}
              {r.optional ? <span class="badge badge-optional">optional</span> : null}
            </td>
            <td>
              <NameStatus state={nameState(r.name, props.check)} optional={r.optional} />
            </td>
            <td>{r.description ?? <span class="muted">—</span>}</td>
            <td class="row-actions">{props.writable ? <RemoveForm {...props} requirement={r} /> : null}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** ✓ or ✗ with its words (the sign is not read out), where the name comes from, and a near expiry. */
function NameStatus(props: { state: NameState; optional: boolean }) {
  const { state } = props;
  if (state.kind === 'missing') {
    return (
      <span class={props.optional ? 'check check-optional' : 'check check-missing'}>
        <span aria-hidden="true">✗ </span>Missing
      </span>
    );
  }
  const ok = state.kind === 'set';
  return (
    <>
      <span class={ok ? 'check check-ok' : 'check check-missing'}>
        <span aria-hidden="true">{ok ? '✓ ' : '✗ '}</span>
        {ok ? 'Set' : 'Expired'}
      </span>{' '}
      <SourceBadge source={state.source} />
      {ok && state.expiresAt ? (
        <span class="cell-note">
          <Expiry at={state.expiresAt} />
        </span>
      ) : null}
    </>
  );
}

function RemoveForm(props: RequirementsProps & { requirement: Api.Requirement }) {
  const { requirement: r, failed } = props;
  return (
    <form method="post" action={`${environmentPath(props.envId)}/requirements/${encodeURIComponent(r.name)}/delete`}>
      <CsrfField token={props.csrfToken} />
      <button type="submit" class="button-link" aria-label={`Remove requirement ${r.name}`}>
        Remove
      </button>
      <FormError message={failed?.form === removeRequirementForm(r.name) ? failed.formError : undefined} />
    </form>
  );
}

function AddRequirementForm(props: RequirementsProps) {
  const state = stateFor(ADD_REQUIREMENT_FORM, props.failed);
  return (
    <form
      class="stack"
      method="post"
      action={`${environmentPath(props.envId)}/requirements`}
      aria-labelledby="add-requirement-heading"
    >
      <h3 id="add-requirement-heading">Add requirement</h3>
      <CsrfField token={props.csrfToken} />
      <TextField state={state} name="name" label="Name" hint={NAME_HINT} kind="name" {...NAME_RULES} />
      <TextField
        state={state}
        name="description"
        label="Description"
        hint="What the code uses it for."
        {...DESCRIPTION_RULES}
      />
      <CheckboxField state={state} name="optional" label="Optional: a job can start without it" />
      <FormActions state={state} label="Add requirement" />
    </form>
  );
}
