// Signing in (issue 15, item 2): the page a signed-out visitor sees. Signing in takes a link from
// the server (printed on its first start, or by `datafiles users login-link NAME`); the shell
// (app.tsx) exchanges its one-time code and lands here only while it does, or when it failed.
import { ErrorMessage } from '../components/errorMessage';

export function SignInPage(props: { busy?: boolean; notice?: string; failure?: unknown }) {
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to datafiles</h1>
      {props.busy ? (
        <p role="status">Signing in…</p>
      ) : (
        <>
          {props.notice !== undefined && (
            <p class="notice" role="status">
              {props.notice}
            </p>
          )}
          <ErrorMessage error={props.failure} />
          <p>Open the sign-in link that the server printed, or ask an administrator for one:</p>
          <pre class="command">datafiles users login-link YOUR_NAME</pre>
          <p>Each link works once and for a short time.</p>
        </>
      )}
    </main>
  );
}
