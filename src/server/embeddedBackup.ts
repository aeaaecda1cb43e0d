// Backup and restore of the embedded store (issue 16, item 2; docs/decisions.md 108-109): a data
// directory's SQLite database and the blobs it references, taken while `serve` runs.
//
// backup: 1. `VACUUM INTO` copies the database in one read transaction: a consistent snapshot,
//            taken without stopping the server's writers (WAL), unlike the online backup API,
//            which starts over whenever another connection writes during the copy.
//         2. The blobs that snapshot names are copied after it. A blob is never changed once
//            written, so each copy is the bytes the snapshot describes; one deleted since the
//            snapshot (its file or revision was deleted during the backup) is missing, and its
//            revision is removed from the backup as a delete would have (the metadata store's own
//            deleteRevision), so the backup is whole.
//         3. backup.json is written last: a directory without it is not a backup.
// restore: copies a backup into a new, empty data directory (never over an existing one); the
//          server migrates it on its first start, as any data directory.
import BetterSqlite3 from 'better-sqlite3';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { diskLayout } from '../adapters/blob/diskLayout.js';
import { openSqliteMetadataStore } from '../adapters/metadata/openSqliteMetadataStore.js';
import { OWNER_ONLY_DIRECTORY_MODE, OWNER_ONLY_FILE_MODE } from '../adapters/ownerOnly.js';
import type { Clock } from '../core/ports/clock.js';
import { DataDirectoryError } from './dataDirectoryError.js';
import { SQLITE_FILE } from './openStores.js';

export const BACKUP_MANIFEST = 'backup.json';
/** How long the snapshot waits for SQLite's locks (a checkpoint, say) before giving up. */
const BUSY_TIMEOUT_MS = 30_000;

export interface BackupSummary {
  destination: string;
  startedAt: string;
  finishedAt: string;
  blobs: number;
  bytes: number;
  /** Revisions deleted while the backup ran: left out of it. */
  droppedRevisions: Array<{ fileId: number; revisionId: number }>;
}

async function ensureEmptyDirectory(directory: string, what: string): Promise<void> {
  const entries = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) throw new DataDirectoryError(`${what} ${directory} is not empty: give a new or empty directory (nothing is ever overwritten).`);
  await mkdir(directory, { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
}

async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Copies a file or a directory (an assembled blob) and makes it durable; returns its bytes. */
async function copyDurably(source: string, target: string): Promise<number> {
  const facts = await stat(source);
  await mkdir(path.dirname(target), { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  if (!facts.isDirectory()) {
    await copyFile(source, target, constants.COPYFILE_EXCL);
    await fsyncPath(target);
    return facts.size;
  }
  await mkdir(target, { mode: OWNER_ONLY_DIRECTORY_MODE });
  let bytes = 0;
  for (const name of await readdir(source)) bytes += await copyDurably(path.join(source, name), path.join(target, name));
  await fsyncPath(target);
  return bytes;
}

export async function backupDataDirectory(input: { dataDir: string; destination: string; clock: Clock }): Promise<BackupSummary> {
  const sourceDatabase = path.join(input.dataDir, SQLITE_FILE);
  await stat(sourceDatabase).catch(() => {
    throw new DataDirectoryError(
      `no datafiles database in the data directory ${input.dataDir}: point --data (or DATAFILES_DATA_DIR) at the server's data directory.`,
    );
  });
  const destination = path.resolve(input.destination);
  await ensureEmptyDirectory(destination, 'The backup destination');
  const startedAt = input.clock.now();

  // 1. The snapshot.
  const snapshotPath = path.join(destination, SQLITE_FILE);
  const source = new BetterSqlite3(sourceDatabase, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    source.prepare('VACUUM INTO ?').run(snapshotPath);
  } finally {
    source.close();
  }
  await fsyncPath(snapshotPath);

  // 2. The blobs it names, copied after it.
  const from = diskLayout(path.join(input.dataDir, 'files'));
  const to = diskLayout(path.join(destination, 'files'));
  await mkdir(to.blobsDirectory, { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  let blobs = 0;
  let bytes = 0;
  const missing: string[] = [];
  const snapshot = new BetterSqlite3(snapshotPath, { fileMustExist: true });
  try {
    for (const row of snapshot.prepare('select distinct blob_key from revisions').iterate() as Iterable<{ blob_key: string }>) {
      try {
        bytes += await copyDurably(from.blobPath(row.blob_key), to.blobPath(row.blob_key));
        blobs += 1;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await rm(to.blobPath(row.blob_key), { recursive: true, force: true });
        missing.push(row.blob_key);
      }
    }
  } finally {
    snapshot.close();
  }

  // Revisions whose bytes went while the backup ran are left out, as their delete would have.
  const droppedRevisions: BackupSummary['droppedRevisions'] = [];
  if (missing.length > 0) {
    const listing = new BetterSqlite3(snapshotPath, { fileMustExist: true });
    const rows = missing.flatMap(
      (key) => listing.prepare('select id, file_id from revisions where blob_key = ?').all(key) as Array<{ id: number; file_id: number }>,
    );
    listing.close();
    const metadata = await openSqliteMetadataStore({ path: snapshotPath, create: false });
    try {
      for (const row of rows) {
        await metadata.files.deleteRevision({ fileId: row.file_id, revisionId: row.id });
        droppedRevisions.push({ fileId: row.file_id, revisionId: row.id });
      }
    } finally {
      await metadata.close();
    }
  }

  // 3. The manifest, last.
  const summary: BackupSummary = {
    destination,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(input.clock.now()).toISOString(),
    blobs,
    bytes,
    droppedRevisions,
  };
  await writeFile(path.join(destination, BACKUP_MANIFEST), `${JSON.stringify({ format: 1, ...summary }, null, 2)}\n`, {
    mode: OWNER_ONLY_FILE_MODE,
    flag: 'wx',
  });
  await fsyncPath(path.join(destination, BACKUP_MANIFEST));
  await fsyncPath(destination);
  return summary;
}

export async function restoreDataDirectory(input: {
  source: string;
  dataDir: string;
}): Promise<{ dataDir: string; blobs: number; bytes: number; backedUpAt: string }> {
  const source = path.resolve(input.source);
  const manifest = await readFile(path.join(source, BACKUP_MANIFEST), 'utf8').catch(() => {
    throw new DataDirectoryError(
      `${source} is not a complete datafiles backup (no ${BACKUP_MANIFEST}; it is written last, so the backup may have been interrupted).`,
    );
  });
  const { startedAt } = JSON.parse(manifest) as { startedAt: string };
  const dataDir = path.resolve(input.dataDir);
  await ensureEmptyDirectory(dataDir, 'The data directory to restore into');
  await copyDurably(path.join(source, SQLITE_FILE), path.join(dataDir, SQLITE_FILE));
  let blobs = 0;
  let bytes = 0;
  const blobsDirectory = path.join(source, 'files', 'blobs');
  const target = path.join(dataDir, 'files', 'blobs');
  await mkdir(target, { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  for (const first of await readdir(blobsDirectory)) {
    for (const second of await readdir(path.join(blobsDirectory, first))) {
      for (const key of await readdir(path.join(blobsDirectory, first, second))) {
        bytes += await copyDurably(path.join(blobsDirectory, first, second, key), path.join(target, first, second, key));
        blobs += 1;
      }
    }
  }
  // A check that it opens as a datafiles database (the server migrates it when it starts).
  const metadata = await openSqliteMetadataStore({ path: path.join(dataDir, SQLITE_FILE), create: false });
  await metadata.close();
  return { dataDir, blobs, bytes, backedUpAt: startedAt };
}
