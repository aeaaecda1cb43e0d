// #/admin/groups: every group with its member count (searchable, paged) and creating one;
// #/admin/groups/NAME: one group (groupDetails.tsx).
import { useCallback, useId, useState } from 'preact/hooks';
import type { AdminClient, AdminGroupSummary } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { href } from '../router';
import { ConfirmDialog } from './confirm';
import { useLoad } from './load';
import { EmptyRow, NameSearch, OffsetPager, Status, TableRegion } from './parts';

const PAGE = 50;

export function GroupsSection(props: { admin: AdminClient }) {
  const { admin } = props;
  const ids = { name: useId(), search: useId() };
  const [name, setName] = useState('');
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [deleting, setDeleting] = useState<AdminGroupSummary | undefined>(undefined);
  const groups = useLoad((signal) => admin.listGroups({ q: query.trim(), limit: PAGE + 1, offset, signal }), [admin, query, offset]);
  const rows = groups.data?.slice(0, PAGE) ?? [];
  const closeDialog = useCallback(() => setDeleting(undefined), []);

  async function create(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const group = await admin.createGroup(name.trim());
      setName('');
      setStatus(`Created group ${group.name}.`);
      groups.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="admin-groups-title">
      <h2 id="admin-groups-title">Groups</h2>
      <form class="admin-form admin-inline" aria-label="Create a group" onSubmit={(event) => void create(event)}>
        <div class="admin-field">
          <label for={ids.name}>New group's name</label>
          <input id={ids.name} type="text" required maxLength={128} autocomplete="off" value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Create group
        </button>
      </form>
      <ErrorMessage error={error} />
      <NameSearch
        id={ids.search}
        label="Search groups"
        query={query}
        onQuery={(text) => {
          setQuery(text);
          setOffset(0);
        }}
      />
      <Status message={status} />
      <ErrorMessage error={groups.error} />
      <TableRegion label="Groups">
        <caption>{groups.loading && !groups.data ? 'Loading groups…' : 'Groups'}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Members</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((group) => (
            <tr key={group.id}>
              <th scope="row">
                <a href={href('admin', 'groups', group.name)}>{group.name}</a>
              </th>
              <td>{group.memberCount}</td>
              <td class="admin-row-actions">
                <a class="button" href={href('admin', 'groups', group.name)} aria-label={`Manage ${group.name}`}>
                  Manage
                </a>
                <button type="button" class="danger" aria-label={`Delete group ${group.name}`} onClick={() => setDeleting(group)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          <EmptyRow shown={groups.data !== undefined && rows.length === 0} columns={3} text="No groups yet." />
        </tbody>
      </TableRegion>
      <OffsetPager label="Pages of groups" offset={offset} pageSize={PAGE} fetched={groups.data?.length ?? 0} onOffset={setOffset} />
      {deleting ? (
        <DeleteGroupDialog
          admin={admin}
          group={deleting}
          onClose={closeDialog}
          onDeleted={() => {
            setStatus(`Deleted group ${deleting.name}.`);
            groups.reload();
          }}
        />
      ) : null}
    </section>
  );
}

export function DeleteGroupDialog(props: { admin: AdminClient; group: { id: number; name: string }; onClose(): void; onDeleted(): void }) {
  const { group } = props;
  return (
    <ConfirmDialog
      title={`Delete group ${group.name}?`}
      confirmLabel={`Delete group ${group.name}`}
      onClose={props.onClose}
      onConfirm={async () => {
        await props.admin.deleteGroup(group.id);
        props.onDeleted();
      }}
    >
      <p>Its memberships end and every file shared with {group.name} stops being shared with it. The members and their files stay. This cannot be undone.</p>
    </ConfirmDialog>
  );
}
