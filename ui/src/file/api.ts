// The calls a file's page makes beyond DatafilesClient's: the principal lookups, the caller's own
// grant and the metadata update, through @datafiles/sdk with the same token header as every other
// call (ui/src/session.ts).
import { createSharingClient, GRANTS, updateFileMetadata, type FileMetadataChanges, type Grant, type SharingClient } from '@datafiles/sdk';
import { accountClient, watchingFetch } from '../session';

function transport(token: string) {
  return { baseUrl: location.origin, token, fetch: watchingFetch };
}

export function sharingClient(token: string): SharingClient {
  return createSharingClient(transport(token));
}

/** Whether `grant` is at least `needed` on the ladder (docs/decisions.md 16). */
export function allows(grant: Grant, needed: Grant): boolean {
  return GRANTS.indexOf(grant) >= GRANTS.indexOf(needed);
}

export function changeMetadata(token: string, dataFileId: number, changes: FileMetadataChanges) {
  return updateFileMetadata(transport(token), dataFileId, changes);
}

/** A key for a principal in a map of names: 'USER:3', 'GROUP:1'. */
export function principalKey(type: 'USER' | 'GROUP', id: number | string): string {
  return `${type}:${id}`;
}

/** Names of the given users and groups, keyed by principalKey; a failed lookup leaves them unnamed. */
export async function namesOf(token: string, users: number[], groups: number[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const [foundUsers, foundGroups] = await Promise.all([
    accountClient(token)
      .userNames([...new Set(users)])
      .catch(() => []),
    sharingClient(token)
      .groupNames([...new Set(groups)])
      .catch(() => []),
  ]);
  for (const user of foundUsers) names.set(principalKey('USER', user.id), user.name);
  for (const group of foundGroups) names.set(principalKey('GROUP', group.id), group.name);
  return names;
}

/** Saves a Blob under a name, as a download link does. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Chromium may read the URL after click() returns; FileSaver.js waits 40 s for the same reason.
  setTimeout(() => URL.revokeObjectURL(url), 40_000);
}
