import type { Child } from 'hono/jsx';
import { orphanedError, stateFor, type FormState } from '../forms.js';
import { Time } from './badges.js';
import { NAME_RULES } from './entry-fields.js';
import { CsrfField, FormActions, FormError, HiddenField, TextField } from './fields.js';
import { TableHead } from './table-head.js';
import { Table } from './table.js';

/** The form that restores the deleted item `id`: its errors are shown beside that item's name field. */
export const restoreForm = (id: string) => `restore-${id}`;

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** What a delete confirmation and its notice say about getting the item back. */
export const restorableFor = (recoveryDays: number) =>
  `You can restore it from Recently deleted for ${days(recoveryDays)}.`;

/** One recently deleted secret or variable, as its row shows it. */
export interface DeletedItem {
  id: string;
  name: string;
  deletedAt: string;
  purgeAt: string;
  /** The second column: its kind, or where it was linked. */
  detail: Child;
  /** Where its Restore form posts. */
  action: string;
}

interface RecentlyDeletedProps {
  items: DeletedItem[];
  /** The second column's heading. */
  detailColumn: string;
  /** What a restore does besides bringing the item back (a global secret is linked again). */
  hint?: string;
  empty: string;
  recoveryDays: number;
  csrfToken: string;
  teamId?: string | null | undefined;
  /** Without write access the items are listed without Restore. */
  writable: boolean;
  /** A Restore that failed, shown again with its errors. */
  failed?: FormState | undefined;
}

/** Recently deleted: each item with when it was deleted, when it is purged for good, and Restore. */
export function RecentlyDeleted(props: RecentlyDeletedProps) {
  return (
    <section class="card" id="recently-deleted" aria-labelledby="recently-deleted-heading">
      <h2 id="recently-deleted-heading">Recently deleted</h2>
      <p class="hint">
        {`Deleted items can be restored for ${days(props.recoveryDays)}, then they are purged for good.`}
        {props.hint ? ` ${props.hint}` : ''}
      </p>
      <FormError
        message={orphanedError(
          props.failed,
          'restore-',
          props.items.map((i) => restoreForm(i.id)),
          props.writable,
        )}
      />
      {props.items.length === 0 ? (
        <p class="empty">{props.empty}</p>
      ) : (
        <Table>
          <TableHead columns={['Name', props.detailColumn, 'Deleted', 'Purged on']} />
          <tbody>
            {props.items.map((item) => (
              <DeletedRow {...props} item={item} />
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}

function DeletedRow(props: RecentlyDeletedProps & { item: DeletedItem }) {
  const { item } = props;
  return (
    <tr>
      <td class="name">{item.name}</td>
      <td>{item.detail}</td>
      <td>
        <Time at={item.deletedAt} />
      </td>
      <td>
        <Time at={item.purgeAt} />
      </td>
      <td class="restore-cell">{props.writable ? <RestoreForm {...props} /> : null}</td>
    </tr>
  );
}

/** Restore, under the old name or a new one (its name may have been taken since). */
function RestoreForm(props: RecentlyDeletedProps & { item: DeletedItem }) {
  const { item } = props;
  const state = stateFor(restoreForm(item.id), props.failed);
  return (
    <form class="restore-form" method="post" action={item.action} aria-label={`Restore ${item.name}`}>
      <CsrfField token={props.csrfToken} />
      <HiddenField name="teamId" value={props.teamId} />
      <TextField
        state={state}
        name="name"
        label="New name"
        hint={`Leave empty to keep ${item.name}.`}
        kind="name"
        {...NAME_RULES}
        required={false}
      />
      <FormActions state={state} label="Restore" />
    </form>
  );
}
