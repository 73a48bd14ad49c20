import type * as Api from '../../../shared/api-objects.js';
import { LIMITS } from '../../../shared/rules.js';
import { orphanedError, type FormState } from '../forms.js';
import { Time } from './badges.js';
import { CsrfField, FormError, HiddenField } from './fields.js';
import { TableHead } from './table-head.js';
import { Table } from './table.js';

/** The form that rolls back to `version`: its errors are shown beside that version's button. */
export const rollbackForm = (version: number | string) => `rollback-${version}`;

interface VersionsProps {
  versions: Api.ValueVersion[];
  /** The signed-in user's id: their versions say "you". */
  me: string;
  /** Where each Roll back form posts. */
  action: string;
  csrfToken: string;
  teamId?: string | null | undefined;
  /** Without write access the versions are listed without Roll back. */
  writable: boolean;
  /** A variable's versions show their values; a secret's never do. */
  showValues: boolean;
  /** A Roll back that failed, shown again with its error. */
  failed?: FormState | undefined;
}

/** The kept versions of a value, newest first, each older one with Roll back. */
export function VersionsCard(props: VersionsProps) {
  return (
    <section class="card" id="versions" aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      <p class="hint">
        {`The last ${LIMITS.versionsKept} values are kept. Roll back makes a new version with the value of the one you pick; history is never rewritten.`}
        {props.showValues ? '' : ' Values are never shown.'}
      </p>
      <FormError
        message={orphanedError(
          props.failed,
          'rollback-',
          props.versions.filter((v) => !v.current).map((v) => rollbackForm(v.version)),
          props.writable,
        )}
      />
      <Table>
        <TableHead columns={['Version', 'Created', 'By', ...(props.showValues ? ['Value'] : [])]} />
        <tbody>
          {props.versions.map((v) => (
            <VersionRow {...props} version={v} />
          ))}
        </tbody>
      </Table>
    </section>
  );
}

function VersionRow(props: VersionsProps & { version: Api.ValueVersion }) {
  const { version: v } = props;
  return (
    <tr>
      <td>
        {v.version}
        {v.current ? <span class="badge badge-current">current</span> : null}
      </td>
      <td>
        <Time at={v.createdAt} />
      </td>
      <td>
        <Author by={v.createdBy} me={props.me} />
      </td>
      {props.showValues ? <td class="value">{v.value ?? <span class="muted">—</span>}</td> : null}
      <td class="row-actions">{props.writable && !v.current ? <RollbackForm {...props} /> : null}</td>
    </tr>
  );
}

/** Who wrote a version: "you", else the kind of caller and its id (a user's, a hosted service's name). */
function Author(props: { by: Api.ValueVersion['createdBy']; me: string }) {
  const { by } = props;
  if (by.type === 'user' && by.id === props.me) return <>you</>;
  if (by.type === 'unknown' || by.id === '') return <span class="muted">not recorded</span>;
  return (
    <>
      {by.type} <span class="mono">{by.id}</span>
    </>
  );
}

function RollbackForm(props: VersionsProps & { version: Api.ValueVersion }) {
  const { version: v, failed } = props;
  return (
    <form method="post" action={props.action}>
      <CsrfField token={props.csrfToken} />
      <HiddenField name="teamId" value={props.teamId} />
      <input type="hidden" name="version" value={String(v.version)} />
      <button type="submit" class="button button-quiet button-small" aria-label={`Roll back to version ${v.version}`}>
        Roll back
      </button>
      <FormError message={failed?.form === rollbackForm(v.version) ? failed.formError : undefined} />
    </form>
  );
}
