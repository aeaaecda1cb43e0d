// The data directory of `datafiles serve` when it holds a store (SQLite, local blobs, or both):
// created owner-only (docs/decisions.md 45) and locked for the server's lifetime (decisions 46).
//
// Why the lock: two servers on one data directory destroy each other's work. Each one's start-up
// sweep took the other's in-flight temporary files for a crash's leftovers (an upload then failed
// with 500), and the disk store assumes one writer. Several servers share stores only through
// PostgreSQL + S3, which need no lock; the admin commands open the SQLite database beside a
// running server (SQLite's own locking serialises them) and never take this lock.
//
// Why this mechanism: the lock is a POSIX advisory record lock (fcntl) that SQLite takes on a
// small database of its own, `datafiles.lock`, through better-sqlite3, which the embedded store
// already depends on. The kernel releases such a lock when its process exits, however it exits
// (SIGKILL, a crash, a power cut), so a dead server's lock is never "stale": there is no pid to
// test for liveness (a recycled pid, or pid 1 in every container, would keep a dead lock alive),
// no heartbeat whose delay during a long pause would hand the lock to a second server, and no
// race between two servers taking over a stale lock (O_EXCL lock files and mkdir locks such as
// proper-lockfile's have all three). Node itself has no flock/fcntl, and a native addon for it
// would be one more compiled dependency. The holder keeps a write transaction open (BEGIN
// IMMEDIATE: SQLite's RESERVED lock) for its lifetime: a second server cannot take it, yet can
// still read the table in which the holder recorded its pid, host and start time, to name it.
// As with any file lock, the data directory must be on a local file system, and the lock file
// must not be deleted while a server runs.
import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureOwnerOnlyFile, OWNER_ONLY_DIRECTORY_MODE, tightenToOwnerOnly } from '../adapters/ownerOnly.js';
import { DataDirectoryError } from './dataDirectoryError.js';

export const LOCK_FILE = 'datafiles.lock';

/** How long the holder waits to commit its record while a starting server reads it. */
const RECORD_BUSY_TIMEOUT_MS = 5000;

/**
 * Creates the data directory owner-only (0700, whatever the umask) or, when it exists with group
 * or other permissions, takes those away. Returns whether an existing directory was tightened.
 */
export function prepareDataDirectory(dataDir: string): { tightened: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  return { tightened: tightenToOwnerOnly(dataDir) };
}

export interface DataDirectoryLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** Takes the data directory's lock, or throws DataDirectoryError naming the server that holds it. */
export function lockDataDirectory(dataDir: string): DataDirectoryLock {
  const lockPath = path.join(dataDir, LOCK_FILE);
  ensureOwnerOnlyFile(lockPath);
  const database = new BetterSqlite3(lockPath, { timeout: 0 });
  try {
    if (!tryReserve(database)) throw inUse(dataDir, readHolder(database));
    database.pragma(`busy_timeout = ${RECORD_BUSY_TIMEOUT_MS}`);
    database.exec('create table if not exists holder (pid integer not null, host text not null, since text not null)');
    database.exec('delete from holder');
    database.prepare('insert into holder (pid, host, since) values (?, ?, ?)').run(process.pid, os.hostname(), new Date().toISOString());
    database.exec('commit');
    // Committed so that others can read it; then held again for good. A server that slipped in
    // between these two statements holds it now, and this one stops.
    database.pragma('busy_timeout = 0');
    if (!tryReserve(database)) throw inUse(dataDir, readHolder(database));
  } catch (error) {
    database.close();
    throw error;
  }
  return {
    release() {
      if (!database.open) return;
      if (database.inTransaction) database.exec('rollback');
      database.close();
    },
  };
}

function tryReserve(database: BetterSqlite3.Database): boolean {
  try {
    database.exec('begin immediate');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return false;
    throw error;
  }
}

function readHolder(database: BetterSqlite3.Database): Holder | undefined {
  try {
    database.pragma(`busy_timeout = ${RECORD_BUSY_TIMEOUT_MS}`);
    return database.prepare('select pid, host, since from holder limit 1').get() as Holder | undefined;
  } catch {
    // The holder is still writing its record (no table yet): it stays unnamed.
    return undefined;
  }
}

function inUse(dataDir: string, holder: Holder | undefined): DataDirectoryError {
  const who = holder ? `another datafiles server (pid ${holder.pid} on ${holder.host}, running since ${holder.since})` : 'another datafiles server';
  return new DataDirectoryError(
    `the data directory ${dataDir} is in use by ${who}. Two servers on one data directory would ` +
      `delete each other's uploads in progress. Stop that server first, or give this one another ` +
      `directory with --data DIR (or DATAFILES_DATA_DIR); several servers share data only through ` +
      `PostgreSQL + S3 (--database-url and --s3-endpoint).`,
  );
}
