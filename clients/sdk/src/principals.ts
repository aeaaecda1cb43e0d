// Finding users and groups for sharing (README "Administration"): the datafiles API's principal
// lookup, beside Domo's paths under /datafiles/v1. `lookupPrincipals` finds names by prefix
// (docs/decisions.md 64); `principalNames` names the ids a file's permission entries and owner
// carry (docs/decisions.md 123).
import { createTransport, readJson, type TransportOptions } from './request.js';

/** Where the datafiles API (self-service, sharing, admin) lives on a server. */
const ACCESS_API_PATH = '/datafiles/v1';

export interface Principal {
  type: 'USER' | 'GROUP';
  id: number;
  name: string;
}

export interface PrincipalsClient {
  /** Users (not disabled) and groups whose name starts with `prefix`, case-insensitive; at most 20 of each. */
  lookupPrincipals(prefix: string, options?: { signal?: AbortSignal }): Promise<Principal[]>;
  /** The names of these user and group ids (at most 100 ids); ids that name no one are left out. */
  principalNames(ids: { users?: number[]; groups?: number[] }, options?: { signal?: AbortSignal }): Promise<Principal[]>;
}

/** `options.apiPath` is ignored: these calls are the datafiles API's, under the datafiles API path, /datafiles/v1. */
export function createPrincipalsClient(options: TransportOptions): PrincipalsClient {
  const { send } = createTransport({ ...options, apiPath: ACCESS_API_PATH });
  return {
    async lookupPrincipals(prefix, callOptions = {}) {
      if (prefix.trim() === '') return [];
      const response = await send({ method: 'GET', path: '/principals', query: { prefix }, signal: callOptions.signal, what: 'lookupPrincipals' });
      return readJson<Principal[]>(response, 'lookupPrincipals', callOptions.signal);
    },
    async principalNames(ids, callOptions = {}) {
      const users = ids.users ?? [];
      const groups = ids.groups ?? [];
      if (users.length + groups.length === 0) return [];
      const response = await send({
        method: 'GET',
        path: '/principals/names',
        query: { users: users.length > 0 ? users : undefined, groups: groups.length > 0 ? groups : undefined },
        signal: callOptions.signal,
        what: 'principalNames',
      });
      return readJson<Principal[]>(response, 'principalNames', callOptions.signal);
    },
  };
}
