// Who may see the administration pages: an instance admin signed in with an admin-scope token
// (the admin API's own rule, docs/decisions.md 61). Anyone else reads why, instead of a page of
// failed requests.
import type { ComponentChildren } from 'preact';
import { ErrorMessage } from '../components/errorMessage';
import { href } from '../router';
import { accountClient } from '../session';
import { useLoad } from './load';

// Asked of /me first, not learnt from a refused admin call (docs/decisions.md 135).
export function AdminGate(props: { token: string; children: ComponentChildren }) {
  const access = useLoad((signal) => accountClient(props.token).me({ signal }), [props.token]);
  const me = access.data;
  if (me && !me.user.isAdmin) return <AdministratorsOnly reason={`You are signed in as ${me.user.name}, who is not an instance administrator.`} />;
  if (me && me.token && me.token.scope !== 'admin')
    return <AdministratorsOnly reason={`You are signed in as ${me.user.name} with a token of scope ${me.token.scope}; these pages need scope admin.`} />;
  if (me) return <>{props.children}</>;
  if (access.error !== undefined) return <ErrorMessage error={access.error} />;
  return <p role="status">Checking your access…</p>;
}

export function AdministratorsOnly(props: { reason?: string }) {
  return (
    <section class="admin-only" aria-labelledby="admin-only-title">
      <h2 id="admin-only-title">For administrators only</h2>
      <p>
        These pages manage users, groups, tokens, quotas and the audit log. Only an instance administrator signed in with an admin-scope token can use them.
      </p>
      {props.reason ? <p>{props.reason}</p> : null}
      <p>
        <a href={href('files')}>Back to your files</a>
      </p>
    </section>
  );
}
