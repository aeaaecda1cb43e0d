// The multipart sessions of uploads in progress, kept in localStorage so that an upload cut short
// by a reload, a closed tab or a crash can be resumed (docs/decisions.md 129). A browser cannot
// reopen a file by itself, so each entry keeps the file's identity (name, size, lastModified): the
// person picks the file again and the page checks it is the same one before resuming.

const KEY = 'datafiles.uploads';

export interface FileIdentity {
  name: string;
  size: number;
  lastModified: number;
}

export interface StoredUpload extends FileIdentity {
  sessionId: string;
  /** Set for a new revision of an existing file. */
  dataFileId?: number;
  /** The signed-in token's last characters: another user of the same browser does not see it. */
  owner: string;
  startedAt: number;
}

/** A tag for the token, not the token: entries of another user are left alone. */
export function ownerTag(token: string): string {
  return token.slice(-6);
}

function readAll(): StoredUpload[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as StoredUpload[]).filter((entry) => typeof entry?.sessionId === 'string') : [];
  } catch {
    return [];
  }
}

function writeAll(entries: StoredUpload[]): void {
  if (entries.length === 0) localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, JSON.stringify(entries));
}

export function storedUploads(token: string): StoredUpload[] {
  const owner = ownerTag(token);
  return readAll().filter((entry) => entry.owner === owner);
}

export function rememberUpload(entry: StoredUpload): void {
  writeAll([...readAll().filter((other) => other.sessionId !== entry.sessionId), entry]);
}

export function forgetUpload(sessionId: string): void {
  writeAll(readAll().filter((entry) => entry.sessionId !== sessionId));
}

export function identityOf(file: File): FileIdentity {
  return { name: file.name, size: file.size, lastModified: file.lastModified };
}

export function sameFile(file: File, identity: FileIdentity): boolean {
  return file.name === identity.name && file.size === identity.size && file.lastModified === identity.lastModified;
}
