// What sharing needs beyond the spec's permission calls, from the datafiles API beside Domo's paths
// (under /datafiles/v1; README "Administration"): finding users and groups by the start of their
// name (docs/decisions.md 64), naming the group ids that permission entries carry
// (docs/decisions.md 123; users' names are AccountClient.userNames) and the caller's own grant on a
// file (docs/decisions.md 127).
import { createTransport, readJson, type TransportOptions } from './request.js';
import type { Grant } from './types.js';

const ACCESS_API_PATH = '/datafiles/v1';

export interface Principal {
  type: 'USER' | 'GROUP';
  id: number;
  name: string;
}

export interface SharingClient {
  /** Users (not disabled) and groups whose name starts with `prefix`, case-insensitive; at most 20 of each. */
  lookupPrincipals(prefix: string, options?: { signal?: AbortSignal }): Promise<Principal[]>;
  /** The names of groups by id (at most 100 ids a call); unknown ids are left out. */
  groupNames(ids: readonly number[], options?: { signal?: AbortSignal }): Promise<{ id: number; name: string }[]>;
  /** The caller's own grant on a file it may read (owners and instance admins hold the top one); 404 otherwise. */
  myGrant(dataFileId: number, options?: { signal?: AbortSignal }): Promise<Grant>;
}

/** These calls are the datafiles API's, under /datafiles/v1. */
export function createSharingClient(options: Omit<TransportOptions, 'apiPath'>): SharingClient {
  const { send } = createTransport({ ...options, apiPath: ACCESS_API_PATH });
  return {
    async lookupPrincipals(prefix, callOptions = {}) {
      if (prefix.trim() === '') return [];
      const response = await send({ method: 'GET', path: '/principals', query: { prefix }, signal: callOptions.signal, what: 'lookupPrincipals' });
      return readJson<Principal[]>(response, 'lookupPrincipals', callOptions.signal);
    },
    async groupNames(ids, callOptions = {}) {
      if (ids.length === 0) return [];
      const response = await send({ method: 'GET', path: '/groups/names', query: { ids: [...ids] }, signal: callOptions.signal, what: 'groupNames' });
      return readJson<{ id: number; name: string }[]>(response, 'groupNames', callOptions.signal);
    },
    async myGrant(dataFileId, callOptions = {}) {
      if (!Number.isSafeInteger(dataFileId) || dataFileId < 1) throw new TypeError(`dataFileId must be a positive integer; got ${String(dataFileId)}.`);
      const response = await send({ method: 'GET', path: `/me/files/${dataFileId}`, signal: callOptions.signal, what: 'myGrant' });
      return (await readJson<{ grant: Grant }>(response, 'myGrant', callOptions.signal)).grant;
    },
  };
}
