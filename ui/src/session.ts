// The signed-in browser's credential and the SDK client built on it. Every API call of the web
// interface goes through @datafiles/sdk with the token in a request header, never in a cookie
// alone, so a state-changing request cannot be forged by another site (docs/decisions.md 40, 113).
import { createClient, type DatafilesClient } from '@datafiles/sdk';

const TOKEN_KEY = 'datafiles.token';

export function storedToken(): string | undefined {
  return localStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function storeToken(token: string | undefined): void {
  if (token === undefined) localStorage.removeItem(TOKEN_KEY);
  else localStorage.setItem(TOKEN_KEY, token);
}

/** The Files API client for the current origin, sending the stored token in the Authorization header. */
export function filesClient(token: string): DatafilesClient {
  return createClient({ baseUrl: location.origin, token });
}
