// #/admin/groups/NAME: one group, renaming it, its members (adding one found by name, removing
// one) and deleting it. Removing a member is not confirmed: adding them back undoes it.
import { useCallback, useId, useState } from 'preact/hooks';
import type { AdminClient } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { href, navigate } from '../router';
import { formatTime } from './format';
import { DeleteGroupDialog } from './groups';
import { useLoad } from './load';
import { EmptyRow, Status, TableRegion } from './parts';
import { UserLookup } from './userLookup';

export function GroupDetails(props: { admin: AdminClient; group: string }) {
  const { admin } = props;
  const renameId = useId();
  const group = useLoad((signal) => admin.getGroup(props.group, { signal }), [admin, props.group]);
  const [newName, setNewName] = useState<string | undefined>(undefined);
  const [member, setMember] = useState('');
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [deleting, setDeleting] = useState(false);
  const closeDialog = useCallback(() => setDeleting(false), []);

  async function act(action: () => Promise<string>) {
    setError(undefined);
    try {
      setStatus(await action());
    } catch (failure) {
      setError(failure);
    }
  }

  const data = group.data;
  return (
    <section aria-labelledby="admin-group-title">
      <p>
        <a href={href('admin', 'groups')}>All groups</a>
      </p>
      <h2 id="admin-group-title">Group {data?.name ?? props.group}</h2>
      <ErrorMessage error={group.error} />
      <Status message={status} />
      <ErrorMessage error={error} />
      {data ? (
        <>
          <form
            class="admin-form admin-inline"
            aria-label="Rename the group"
            onSubmit={(event) => {
              event.preventDefault();
              void act(async () => {
                const renamed = await admin.renameGroup(data.id, (newName ?? data.name).trim());
                setNewName(undefined);
                navigate(href('admin', 'groups', renamed.name));
                return `Renamed to ${renamed.name}.`;
              });
            }}
          >
            <div class="admin-field">
              <label for={renameId}>Name</label>
              <input
                id={renameId}
                type="text"
                required
                maxLength={128}
                value={newName ?? data.name}
                onInput={(event) => setNewName(event.currentTarget.value)}
              />
            </div>
            <button type="submit">Rename</button>
          </form>
          <form
            class="admin-form admin-inline"
            aria-label="Add a member"
            onSubmit={(event) => {
              event.preventDefault();
              void act(async () => {
                const added = await admin.addMember(data.id, member.trim());
                setMember('');
                group.reload();
                return `Added ${added.user.name} to ${added.group.name}.`;
              });
            }}
          >
            <UserLookup
              admin={admin}
              label="Add a member (user name)"
              value={member}
              onInput={setMember}
              exclude={data.members.map((user) => user.name)}
              required
            />
            <button type="submit" class="primary">
              Add member
            </button>
          </form>
          <TableRegion label={`Members of ${data.name}`}>
            <caption>
              Members of {data.name} ({data.members.length})
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.members.map((user) => (
                <tr key={user.id}>
                  <th scope="row">{user.name}</th>
                  <td>{user.disabledAt === null ? 'Active' : 'Disabled'}</td>
                  <td>{formatTime(user.createdAt)}</td>
                  <td class="admin-row-actions">
                    <button
                      type="button"
                      aria-label={`Remove ${user.name} from ${data.name}`}
                      onClick={() =>
                        void act(async () => {
                          await admin.removeMember(data.id, user.id);
                          group.reload();
                          return `Removed ${user.name} from ${data.name}.`;
                        })
                      }
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
              <EmptyRow shown={data.members.length === 0} columns={4} text="No members yet." />
            </tbody>
          </TableRegion>
          <p>
            <button type="button" class="danger" onClick={() => setDeleting(true)}>
              Delete group {data.name}
            </button>
          </p>
          {deleting ? <DeleteGroupDialog admin={admin} group={data} onClose={closeDialog} onDeleted={() => navigate(href('admin', 'groups'))} /> : null}
        </>
      ) : null}
    </section>
  );
}
