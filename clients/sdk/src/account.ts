// The datafiles API beside Domo's (/datafiles/v1): who I am, signing in with a sign-in link's
// one-time code and signing out, and the names of users by id (for an owner column). The web
// interface's calls beyond the Files API; the same transport, token and errors as createClient.
import { createTransport, readJson, type TransportOptions } from './request.js';

export const ACCOUNT_API_PATH = '/datafiles/v1';

export interface AccountUser {
  id: number;
  name: string;
  isAdmin: boolean;
  createdAt: number;
  disabledAt: number | null;
}

export interface AccountTokenRecord {
  id: number;
  userId: number;
  label: string;
  scope: 'read' | 'write' | 'admin';
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  state: 'active' | 'revoked' | 'expired';
}

export interface Me {
  user: AccountUser;
  groups: { id: number; name: string }[];
  usage: { files: number; revisions: number; bytes: number; stagedBytes: number; quotaBytes: number | null };
  /** The token this request came with (its scope says whether the admin API is open to it). */
  token?: AccountTokenRecord;
}

export interface SignedIn {
  user: AccountUser;
  /** The browser session's token: send it as the client's token; shown in this answer only. */
  token: string;
  tokenRecord: AccountTokenRecord;
}

export interface AccountClient {
  me(options?: { signal?: AbortSignal }): Promise<Me>;
  /** Exchanges a sign-in link's one-time code (works once) for a session token. Needs no token. */
  signIn(code: string): Promise<SignedIn>;
  /** Revokes the token this client sends (signing out). */
  signOut(): Promise<AccountTokenRecord>;
  /** The names of users by id (at most 100 ids a call); unknown ids are left out. */
  userNames(ids: readonly number[], options?: { signal?: AbortSignal }): Promise<{ id: number; name: string }[]>;
}

export function createAccountClient(options: Omit<TransportOptions, 'apiPath'>): AccountClient {
  const { send } = createTransport({ ...options, apiPath: ACCOUNT_API_PATH });
  return {
    async me(callOptions = {}) {
      const response = await send({ method: 'GET', path: '/me', signal: callOptions.signal, what: 'me' });
      return readJson<Me>(response, 'me', callOptions.signal);
    },
    async signIn(code) {
      const response = await send({ method: 'POST', path: '/sign-in', json: { code }, what: 'signIn' });
      return readJson<SignedIn>(response, 'signIn');
    },
    async signOut() {
      const response = await send({ method: 'DELETE', path: '/me/session', what: 'signOut' });
      return readJson<AccountTokenRecord>(response, 'signOut');
    },
    async userNames(ids, callOptions = {}) {
      if (ids.length === 0) return [];
      const response = await send({ method: 'GET', path: '/users/names', query: { ids: [...ids] }, signal: callOptions.signal, what: 'userNames' });
      return readJson<{ id: number; name: string }[]>(response, 'userNames', callOptions.signal);
    },
  };
}
