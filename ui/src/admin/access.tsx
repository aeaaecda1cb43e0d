// Who may see the administration pages: an instance admin signed in with an admin-scope token
// (the admin API's own rule, docs/decisions.md 61). Anyone else reads why, instead of a page of
// failed requests.
import type { ComponentChildren } from 'preact';
import { isDatafilesError } from '@datafiles/sdk';
import { ErrorMessage } from '../components/errorMessage';
import { href } from '../router';
import { useAdminClient } from './client';
import { useLoad } from './load';

export function AdminGate(props: { token: string; children: ComponentChildren }) {
  const admin = useAdminClient(props.token);
  const access = useLoad((signal) => admin.listUsers({ limit: 1, signal }), [admin]);
  if (access.data) return <>{props.children}</>;
  if (isDatafilesError(access.error) && access.error.status === 403) return <AdministratorsOnly reason={access.error.message} />;
  if (access.error !== undefined) return <ErrorMessage error={access.error} />;
  return <p role="status">Checking your access…</p>;
}

export function AdministratorsOnly(props: { reason?: string }) {
  return (
    <section class="admin-only" aria-labelledby="admin-only-title">
      <h2 id="admin-only-title">For administrators only</h2>
      <p>These pages manage users, groups, tokens, quotas and the audit log. Only an instance administrator signed in with an admin-scope token can use them.</p>
      {props.reason ? <p>The server said: {props.reason}</p> : null}
      <p>
        <a href={href('files')}>Back to your files</a>
      </p>
    </section>
  );
}
