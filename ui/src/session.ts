// The signed-in browser's credential and the SDK clients built on it. Every API call of the web
// interface goes through @datafiles/sdk with the token in a request header, never in a cookie
// alone, so a state-changing request cannot be forged by another site (docs/decisions.md 40, 113).
//
// The token is a browser session (docs/decisions.md 114): a token record with a short lifetime,
// opened by a sign-in link's one-time code and revoked on sign-out. Any answer 401 to a call made
// with it means it no longer works (expired, revoked, user disabled): the clients below report it,
// and the shell (app.tsx) signs the page out with the server's message.
import { createAccountClient, createAdminClient, createClient, type AccountClient, type AdminClient, type DatafilesClient } from '@datafiles/sdk';

const TOKEN_KEY = 'datafiles.token';

export function storedToken(): string | undefined {
  return localStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function storeToken(token: string | undefined): void {
  if (token === undefined) localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, token);
}

type SignedOutListener = (response: Response) => void;
const listeners = new Set<SignedOutListener>();

/** Called with the 401 answer whenever a call made with the stored token gets one. */
export function onSignedOut(listener: SignedOutListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * fetch that tells the listeners about a 401 (the SDK still throws its DatafilesError to the caller).
 * The listeners get a copy of the answer whose body was read first: signing out unmounts the views
 * whose requests these are, and their aborts would cut a clone's body off before it was read.
 */
export const watchingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status === 401) {
    const body = await response
      .clone()
      .text()
      .catch(() => '');
    for (const listener of listeners) listener(new Response(body, { status: 401, headers: response.headers }));
  }
  return response;
};

/** The Files API client for the current origin, sending the token in the Authorization header. */
export function filesClient(token: string): DatafilesClient {
  return createClient({ baseUrl: location.origin, token, fetch: watchingFetch });
}

/** The datafiles API (/datafiles/v1: me, sign-out, user names) with the token; without one, only signIn. */
export function accountClient(token?: string): AccountClient {
  return createAccountClient({ baseUrl: location.origin, token, fetch: token === undefined ? undefined : watchingFetch });
}

/** The admin API (/datafiles/v1/admin) with the token, for the administration pages. */
export function adminClient(token: string): AdminClient {
  return createAdminClient({ baseUrl: location.origin, token, fetch: watchingFetch });
}

/** The one-time code of a sign-in link (?token=…), if the page was opened with one. */
export function signInCodeInUrl(): string | undefined {
  return new URLSearchParams(location.search).get('token') ?? undefined;
}

/**
 * Removes the code from the address bar and from this history entry at once, before anything
 * else runs: it never stays in the URL bar, the history, or a bookmark (issue 15 item 2).
 */
export function forgetSignInCodeInUrl(): void {
  const url = new URL(location.href);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash || '#/files'}`);
}
