// docs/decisions.md 45: everything datafiles writes on disk (the data directory, the SQLite
// database and its -wal/-shm, blobs, staged parts, temporary files) is readable by its owner only.
// The modes are given explicitly at creation: a umask can only take bits away, so whatever the
// process umask (022, or even 000) a directory is at most 0700 and a file at most 0600.
import { chmodSync, closeSync, lstatSync, openSync } from 'node:fs';

export const OWNER_ONLY_DIRECTORY_MODE = 0o700;
export const OWNER_ONLY_FILE_MODE = 0o600;

/**
 * Takes the group and other bits off an existing file or directory (one written by a version
 * before docs/decisions.md 45, or created by hand). Returns whether it changed anything; a path that
 * does not exist is left alone. Symbolic links are not followed.
 */
export function tightenToOwnerOnly(target: string): boolean {
  let mode: number;
  try {
    const stats = lstatSync(target);
    if (stats.isSymbolicLink()) return false;
    mode = stats.mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if ((mode & 0o077) === 0) return false;
  chmodSync(target, mode & 0o700);
  return true;
}

/** Creates `filePath` empty and owner-only if it does not exist; tightens it if it does. */
export function ensureOwnerOnlyFile(filePath: string): void {
  // 'a' creates without truncating an existing file.
  closeSync(openSync(filePath, 'a', OWNER_ONLY_FILE_MODE));
  tightenToOwnerOnly(filePath);
}
