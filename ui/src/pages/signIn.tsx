// Signing in (issue 15, item 2). Placeholder until the sign-in exchange lands.
export function SignInPage() {
  return (
    <main id="main">
      <h1>Sign in to datafiles</h1>
      <p>Open the sign-in link that the server printed, or ask an administrator for one.</p>
    </main>
  );
}
