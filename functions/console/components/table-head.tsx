/** A table's header row: named columns, then an Actions column named for screen readers only. */
export function TableHead(props: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((column) => (
          <th scope="col">{column}</th>
        ))}
        <th scope="col" class="row-actions">
          <span class="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}
