// #/admin/users: every user (searchable by name prefix, paged), creating one with its first token
// shown once, disabling and enabling, and deleting with the transfer of its files to another user.
import { useCallback, useId, useState } from 'preact/hooks';
import type { AdminClient, AdminUser } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { href } from '../router';
import { ConfirmDialog } from './confirm';
import { formatTime } from './format';
import { useLoad } from './load';
import { CreateUserForm, linkSecret, SecretPanel, tokenSecret, type Secret } from './newUser';
import { EmptyRow, NameSearch, OffsetPager, Status, TableRegion } from './parts';
import { UserLookup } from './userLookup';

const PAGE = 50;

type Pending = { kind: 'disable' | 'delete'; user: AdminUser };

export function UsersSection(props: { admin: AdminClient }) {
  const { admin } = props;
  const searchId = useId();
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  const [secret, setSecret] = useState<Secret | undefined>(undefined);
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  // One more than a page: whether there is a next one.
  const users = useLoad((signal) => admin.listUsers({ q: query.trim(), limit: PAGE + 1, offset, signal }), [admin, query, offset]);
  const rows = users.data?.slice(0, PAGE) ?? [];
  const closeDialog = useCallback(() => setPending(undefined), []);

  async function act(action: () => Promise<void>) {
    setActionError(undefined);
    try {
      await action();
    } catch (failure) {
      setActionError(failure);
    }
  }
  const enable = (user: AdminUser) =>
    act(async () => {
      await admin.enableUser(user.id);
      setStatus(`Enabled ${user.name}.`);
      users.reload();
    });
  const signInLink = (user: AdminUser) =>
    act(async () => {
      setSecret(linkSecret(await admin.createLoginLink(user.id)));
      scrollTo({ top: 0 });
    });

  return (
    <section aria-labelledby="admin-users-title">
      <h2 id="admin-users-title">Users</h2>
      {secret ? (
        <SecretPanel secret={secret} onDone={() => setSecret(undefined)} />
      ) : (
        <CreateUserForm
          admin={admin}
          onCreated={(user) => {
            setSecret(tokenSecret(user));
            setStatus(`Created ${user.user.name}.`);
            users.reload();
          }}
        />
      )}
      <NameSearch
        id={searchId}
        label="Search users"
        query={query}
        onQuery={(text) => {
          setQuery(text);
          setOffset(0);
        }}
      />
      <Status message={status} />
      <ErrorMessage error={actionError ?? users.error} />
      <TableRegion label="Users">
        <caption>{users.loading && !users.data ? 'Loading users…' : `Users${query.trim() ? ` whose name starts with “${query.trim()}”` : ''}`}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((user) => (
            <tr key={user.id}>
              <th scope="row">{user.name}</th>
              <td>{user.isAdmin ? 'Administrator' : 'User'}</td>
              <td>{user.disabledAt === null ? 'Active' : `Disabled ${formatTime(user.disabledAt)}`}</td>
              <td>{formatTime(user.createdAt)}</td>
              <td class="admin-row-actions">
                {user.disabledAt === null ? (
                  <button type="button" aria-label={`Disable ${user.name}`} onClick={() => setPending({ kind: 'disable', user })}>
                    Disable
                  </button>
                ) : (
                  <button type="button" aria-label={`Enable ${user.name}`} onClick={() => void enable(user)}>
                    Enable
                  </button>
                )}
                <button type="button" aria-label={`Create a sign-in link for ${user.name}`} onClick={() => void signInLink(user)}>
                  Sign-in link
                </button>
                <a class="button" href={`${href('admin', 'quotas')}?user=${encodeURIComponent(user.name)}`} aria-label={`Quota and usage of ${user.name}`}>
                  Quota
                </a>
                <button type="button" class="danger" aria-label={`Delete ${user.name}`} onClick={() => setPending({ kind: 'delete', user })}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
          <EmptyRow shown={users.data !== undefined && rows.length === 0} columns={5} text="No users match." />
        </tbody>
      </TableRegion>
      <OffsetPager label="Pages of users" offset={offset} pageSize={PAGE} fetched={users.data?.length ?? 0} onOffset={setOffset} />
      {pending?.kind === 'disable' ? (
        <ConfirmDialog
          title={`Disable ${pending.user.name}?`}
          confirmLabel={`Disable ${pending.user.name}`}
          onClose={closeDialog}
          onConfirm={async () => {
            await admin.disableUser(pending.user.id);
            setStatus(`Disabled ${pending.user.name}.`);
            users.reload();
          }}
        >
          <p>Every token of {pending.user.name} stops working from the next request. Their files stay; you can enable them again later.</p>
        </ConfirmDialog>
      ) : null}
      {pending?.kind === 'delete' ? (
        <DeleteUserDialog
          admin={admin}
          user={pending.user}
          onClose={closeDialog}
          onDeleted={(message) => {
            setStatus(message);
            users.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function DeleteUserDialog(props: { admin: AdminClient; user: AdminUser; onClose(): void; onDeleted(message: string): void }) {
  const { admin, user } = props;
  const [transferTo, setTransferTo] = useState('');
  const details = useLoad((signal) => admin.getUser(user.id, { signal }), [admin, user.id]);
  const files = details.data?.usage.files;
  const needsTransfer = files === undefined || files > 0;

  return (
    <ConfirmDialog
      title={`Delete ${user.name}?`}
      confirmLabel={`Delete ${user.name}`}
      ready={details.data !== undefined && (!needsTransfer || transferTo.trim() !== '')}
      onClose={props.onClose}
      onConfirm={async () => {
        const result = await admin.deleteUser(user.id, needsTransfer ? { transferTo: transferTo.trim() } : {});
        const moved = result.transferTo ? ` ${result.filesTransferred} file(s) now belong to ${result.transferTo.name}.` : '';
        props.onDeleted(`Deleted ${user.name}.${moved}`);
      }}
    >
      <p>
        This deletes {user.name}, their tokens and group memberships. It cannot be undone.{' '}
        {details.data === undefined ? 'Counting their files…' : `They own ${files} file(s).`}
      </p>
      <ErrorMessage error={details.error} />
      {details.data !== undefined && needsTransfer ? (
        <UserLookup admin={admin} label="Give their files to" value={transferTo} onInput={setTransferTo} exclude={[user.name]} required />
      ) : null}
    </ConfirmDialog>
  );
}
