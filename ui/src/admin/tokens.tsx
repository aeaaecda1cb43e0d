// #/admin/tokens: every user's tokens (never their secrets), newest first, narrowed to one user
// and to the active ones, and revoking one. The admin API answers them in one list; this page
// shows them a page at a time.
import { useCallback, useId, useState } from 'preact/hooks';
import type { AdminClient, TokenRecord } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { ConfirmDialog } from './confirm';
import { formatTime } from './format';
import { useLoad } from './load';
import { EmptyRow, Pager, Status, TableRegion } from './parts';
import { UserLookup } from './userLookup';

const PAGE = 50;

export function TokensSection(props: { admin: AdminClient }) {
  const { admin } = props;
  const activeId = useId();
  const [user, setUser] = useState('');
  const [shownUser, setShownUser] = useState('');
  const [activeOnly, setActiveOnly] = useState(true);
  const [page, setPage] = useState(0);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [revoking, setRevoking] = useState<TokenRecord | undefined>(undefined);
  const closeDialog = useCallback(() => setRevoking(undefined), []);
  const tokens = useLoad(
    async (signal) => {
      const [list, users] = await Promise.all([
        admin.listTokens({ user: shownUser || undefined, signal }),
        // Names for the user ids (the admin API's page maximum).
        admin.listUsers({ limit: 1000, signal }),
      ]);
      return { list: list.sort((a, b) => b.id - a.id), names: new Map(users.map((one) => [one.id, one.name])) };
    },
    [admin, shownUser],
  );
  const shown = (tokens.data?.list ?? []).filter((token) => !activeOnly || token.state === 'active');
  const rows = shown.slice(page * PAGE, (page + 1) * PAGE);
  const nameOf = (id: number) => tokens.data?.names.get(id) ?? `user ${id}`;

  return (
    <section aria-labelledby="admin-tokens-title">
      <h2 id="admin-tokens-title">Tokens</h2>
      <form
        class="admin-form admin-inline"
        aria-label="Filter tokens"
        onSubmit={(event) => {
          event.preventDefault();
          setShownUser(user.trim());
          setPage(0);
        }}
      >
        <UserLookup admin={admin} label="User (empty: everyone)" value={user} onInput={setUser} />
        <button type="submit">Show</button>
        <div class="admin-check">
          <input
            id={activeId}
            type="checkbox"
            checked={activeOnly}
            onChange={(event) => {
              setActiveOnly(event.currentTarget.checked);
              setPage(0);
            }}
          />
          <label for={activeId}>Active only</label>
        </div>
      </form>
      <Status message={status} />
      <ErrorMessage error={tokens.error} />
      <TableRegion label="Tokens">
        <caption>
          {tokens.loading && !tokens.data ? 'Loading tokens…' : `${shown.length} ${activeOnly ? 'active ' : ''}token(s)${shownUser ? ` of ${shownUser}` : ''}`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">User</th>
            <th scope="col">Label</th>
            <th scope="col">Scope</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((token) => (
            <tr key={token.id}>
              <th scope="row">{token.id}</th>
              <td>{nameOf(token.userId)}</td>
              <td>{token.label}</td>
              <td>{token.scope}</td>
              <td>{token.state}</td>
              <td>{formatTime(token.createdAt)}</td>
              <td>{formatTime(token.expiresAt)}</td>
              <td>{formatTime(token.lastUsedAt)}</td>
              <td class="admin-row-actions">
                {token.state === 'active' ? (
                  <button type="button" class="danger" aria-label={`Revoke token ${token.id} of ${nameOf(token.userId)}`} onClick={() => setRevoking(token)}>
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
          <EmptyRow shown={tokens.data !== undefined && rows.length === 0} columns={9} text="No tokens to show." />
        </tbody>
      </TableRegion>
      <Pager
        label="Pages of tokens"
        hasPrevious={page > 0}
        hasNext={(page + 1) * PAGE < shown.length}
        onPrevious={() => setPage(page - 1)}
        onNext={() => setPage(page + 1)}
      />
      {revoking ? (
        <ConfirmDialog
          title={`Revoke token ${revoking.id}?`}
          confirmLabel={`Revoke token ${revoking.id}`}
          onClose={closeDialog}
          onConfirm={async () => {
            await admin.revokeToken(revoking.id);
            setStatus(`Revoked token ${revoking.id} of ${nameOf(revoking.userId)}.`);
            tokens.reload();
          }}
        >
          <p>
            Token {revoking.id} of {nameOf(revoking.userId)} (“{revoking.label}”, scope {revoking.scope}) stops working from the next request, on every server.
            This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
