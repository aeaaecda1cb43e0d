// The shell: signing in with a link's one-time code (session.ts), then a header with the
// navigation, the signed-in user and sign-out, and the view the hash route names (router.ts).
// Views live in ui/src/pages; an unknown route shows the files. Any 401 signs the page out with
// the server's reason (docs/decisions.md 114).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Me } from '@datafiles/sdk';
import { href, useRoute, type Route } from './router';
import { accountClient, forgetSignInCodeInUrl, onSignedOut, signInCodeInUrl, storedToken, storeToken } from './session';
import { FilesPage } from './pages/files';
import { FilePage } from './pages/file';
import { AdminPage } from './pages/admin';
import { SignInPage } from './pages/signIn';
import { UploadTray } from './upload';
import { ErrorMessage } from './components/errorMessage';

function view(route: Route, token: string, me: Me | undefined): ComponentChildren {
  const [first, second] = route.segments;
  if (first === 'files' && second !== undefined) return <FilePage token={token} id={Number(second)} />;
  if (first === 'admin') return <AdminPage token={token} section={second} />;
  return <FilesPage token={token} route={route} me={me} />;
}

/** The admin pages need an instance admin signed in with an admin-scope token (docs/decisions.md 61). */
export function isInstanceAdmin(me: Me | undefined): boolean {
  return me !== undefined && me.user.isAdmin && (me.token === undefined || me.token.scope === 'admin');
}

function focusMain(event: Event) {
  // The hash is the router's: the skip link moves focus itself instead of jumping to #main.
  event.preventDefault();
  document.getElementById('main')?.focus();
}

async function reasonOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not the server's JSON error: the generic sentence below.
  }
  return 'Your session is no longer valid.';
}

export function App() {
  // Read and removed from the address bar before the first render (session.ts).
  const [code] = useState(() => {
    const found = signInCodeInUrl();
    if (found !== undefined) forgetSignInCodeInUrl();
    return found;
  });
  const [token, setToken] = useState(() => (code === undefined ? storedToken() : undefined));
  const [signingIn, setSigningIn] = useState(code !== undefined);
  const [notice, setNotice] = useState<{ text: string; failure?: unknown }>();

  useEffect(() => {
    if (code === undefined) return;
    accountClient()
      .signIn(code)
      .then(
        (signedIn) => {
          storeToken(signedIn.token);
          setToken(signedIn.token);
        },
        (error: unknown) => setNotice({ text: 'Signing in with this link failed.', failure: error }),
      )
      .finally(() => setSigningIn(false));
  }, [code]);

  useEffect(
    () =>
      onSignedOut((response) => {
        if (storedToken() === undefined) return;
        storeToken(undefined);
        setToken(undefined);
        void reasonOf(response).then((reason) => setNotice({ text: `You were signed out: ${reason}` }));
      }),
    [],
  );

  if (signingIn) return <SignInPage busy />;
  if (token === undefined) return <SignInPage notice={notice?.text} failure={notice?.failure} />;
  return (
    <Shell
      token={token}
      onSignOut={() => {
        storeToken(undefined);
        setToken(undefined);
        setNotice({ text: 'You signed out.' });
      }}
    />
  );
}

function Shell(props: { token: string; onSignOut: () => void }) {
  const route = useRoute();
  const [me, setMe] = useState<Me>();
  const [failure, setFailure] = useState<unknown>();
  useEffect(() => {
    const abort = new AbortController();
    accountClient(props.token)
      .me({ signal: abort.signal })
      .then(setMe, (error: unknown) => abort.signal.aborted || setFailure(error));
    return () => abort.abort();
  }, [props.token]);

  const signOut = () => {
    // Revoked on the server first; the page forgets the token whatever the answer (it may be dead already).
    void accountClient(props.token)
      .signOut()
      .catch(() => undefined)
      .then(props.onSignOut);
  };

  return (
    <>
      <a class="skip-link" href="#main" onClick={focusMain}>
        Skip to content
      </a>
      <header class="bar">
        <a class="brand" href={href('files')}>
          datafiles
        </a>
        <nav aria-label="Main">
          <a href={href('files')} aria-current={route.segments[0] !== 'admin' ? 'page' : undefined}>
            Files
          </a>
          {isInstanceAdmin(me) && (
            <a href={href('admin')} aria-current={route.segments[0] === 'admin' ? 'page' : undefined}>
              Administration
            </a>
          )}
        </nav>
        <UploadTray token={props.token} />
        <div class="account">
          {me && (
            <span class="account-name" title={`Signed in as ${me.user.name}`}>
              {me.user.name}
            </span>
          )}
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {failure !== undefined && <ErrorMessage error={failure} />}
        {view(route, props.token, me)}
      </main>
    </>
  );
}
