// The local-disk BlobStore: the embedded deployment's bytes live in plain files under one root.
// Layout and id rules are in diskLayout.ts, durable writes in durableFiles.ts, staged uploads in
// diskStagedUploads.ts. Nothing is held open between calls, so close() has nothing to release.
import type { Stats } from 'node:fs';
import { access, constants, mkdir, open, readdir, rename, rm, lstat, stat, utimes, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DomainError } from '../../core/errors.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import { OWNER_ONLY_DIRECTORY_MODE } from '../ownerOnly.js';
import type { BlobStore } from '../../core/ports/blobStore.js';
import { BlobReaders, type BlobReader } from './blobReaders.js';
import { readManifest } from './compositeManifest.js';
import { listBlobs } from './diskBlobListing.js';
import { diskLayout, newId, type DiskLayout } from './diskLayout.js';
import * as stagedUploads from './diskStagedUploads.js';
import { fsyncDirectory, makeDirectoryDurably, writeBodyToNewFile } from './durableFiles.js';
import { isMissingPathError, withStorageErrors } from './fileSystemErrors.js';
import { planSegments, resolveRange, streamSegments, type SegmentFiles, type StoredPiece } from './segmentedReads.js';

export interface DiskBlobStoreOptions {
  /** Directory that holds everything the store writes; created if missing. */
  root: string;
  /**
   * The caller holds the data directory's lock (src/server/dataDirectory.ts), so no other process
   * writes under root: sweepTemporary then removes every temporary entry this store did not write
   * at once, whatever its age, since its writer is provably gone (docs/decisions.md 46).
   */
  exclusive?: boolean;
  /** What "now" is for the sweeps' age cut-offs; the system clock by default. */
  clock?: Clock;
  /**
   * Write bodies with O_DIRECT where the file system allows it (docs/decisions.md 170), else
   * through the page cache; true by default. false: always through the page cache.
   */
  directWrites?: boolean;
}

export async function openDiskBlobStore(options: DiskBlobStoreOptions): Promise<BlobStore> {
  const layout = diskLayout(options.root);
  await withStorageErrors(async () => {
    for (const directory of [layout.blobsDirectory, layout.uploadsDirectory, layout.tempDirectory]) {
      await mkdir(directory, { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
    }
  });
  return diskBlobStore(layout, options.exclusive ?? false, options.clock ?? systemClock, options.directWrites ?? true);
}

function diskBlobStore(layout: DiskLayout, exclusive: boolean, clock: Clock, directWrites: boolean): BlobStore {
  // docs/decisions.md 52: a composite blob deleted while it is read is removed by its last reader.
  const readers = new BlobReaders();
  return {
    // sizeHint is not needed here: a file grows as it is written.
    put: (input) =>
      withStorageErrors(async () => {
        const tempPath = layout.newTempPath();
        const { sizeBytes } = await writeBodyToNewFile({ body: input.body, filePath: tempPath, signal: input.signal, direct: directWrites });
        const key = newId();
        const blobPath = layout.blobPath(key);
        try {
          await makeDirectoryDurably(path.dirname(blobPath));
          await rename(tempPath, blobPath);
        } catch (error) {
          await rm(tempPath, { force: true });
          throw error;
        }
        await fsyncDirectory(path.dirname(blobPath));
        return { key, sizeBytes };
      }),

    get: (input) =>
      withStorageErrors(async () => {
        input.signal?.throwIfAborted();
        const blobPath = layout.blobPath(input.key);
        const stats = await statBlob(blobPath);
        if (stats.isFile()) {
          // One file, opened before this returns: its descriptor outlives a delete.
          const span = resolveRange(input.range, stats.size);
          return streamSegments(planSegments([{ filePath: blobPath, sizeBytes: stats.size }], span), input.signal);
        }
        // A composite blob: its parts are opened one after another, wherever a delete moves them.
        const reader = readers.acquire(input.key, blobPath);
        let pieces: StoredPiece[];
        try {
          pieces = await reader.follow(async (directory) =>
            (await readManifest(directory)).map((part) => ({ filePath: part.file, sizeBytes: part.sizeBytes })),
          );
        } catch (error) {
          reader.release();
          throw error;
        }
        const span = resolveRange(input.range, totalSize(pieces));
        return streamSegments(planSegments(pieces, span), input.signal, filesOf(reader));
      }),

    delete: (key) =>
      withStorageErrors(async () => {
        const blobPath = layout.blobPath(key);
        // Moved out of the blob tree first, so a composite blob disappears at once, not part by part.
        const doomed = layout.newTempPath();
        // Announced before the rename: a reader finding a part gone meanwhile waits for it (blobReaders.ts).
        const move = readers.moving(key);
        try {
          await rename(blobPath, doomed);
        } catch (error) {
          move.settle(undefined);
          if (isMissingPathError(error)) return;
          throw error;
        }
        if (move.settle(doomed)) {
          // Being read: the last reader removes it (blobReaders.ts). Touched, so that the periodic
          // sweep of tmp/ (entries untouched for a day) leaves it to them; a crash leaves it to the
          // start-up sweep.
          const now = new Date();
          await utimes(doomed, now, now).catch(() => undefined);
          return;
        }
        await rm(doomed, { recursive: true, force: true });
      }),

    createUpload: (input) => withStorageErrors(() => stagedUploads.createUpload(layout, input?.signal)),
    putPart: (input) => withStorageErrors(() => stagedUploads.putPart(layout, input, directWrites)),
    getPart: (input) => withStorageErrors(() => stagedUploads.getPart(layout, input)),
    deletePart: (input) => withStorageErrors(() => stagedUploads.deletePart(layout, input)),
    completeUpload: (input) => withStorageErrors(() => stagedUploads.completeUpload(layout, input)),
    abortUpload: (input) => withStorageErrors(() => stagedUploads.abortUpload(layout, input)),

    listBlobs: (input) => listBlobs(layout, input),
    sweepTemporary: (input) => withStorageErrors(() => sweepTemporary(layout, input.olderThanMs, exclusive, clock)),

    ping: async () => {
      try {
        await access(layout.tempDirectory, constants.R_OK | constants.W_OK);
        await access(layout.blobsDirectory, constants.R_OK | constants.W_OK);
      } catch (error) {
        throw new DomainError('DEPENDENCY_UNAVAILABLE', 'The blob directory is not usable.', { cause: error });
      }
    },

    close: async () => undefined,
  };
}

async function statBlob(blobPath: string): Promise<Stats> {
  let stats;
  try {
    stats = await stat(blobPath);
  } catch (error) {
    if (isMissingPathError(error)) throw new DomainError('NOT_FOUND', 'No blob with that key.', { cause: error });
    throw error;
  }
  if (!stats.isFile() && !stats.isDirectory()) throw new DomainError('NOT_FOUND', 'No blob with that key.');
  return stats;
}

/** The parts of a composite blob (segment paths are their names), opened where the blob is now. */
function filesOf(reader: BlobReader): SegmentFiles {
  return {
    open: (name) =>
      reader.follow(async (directory): Promise<FileHandle> => {
        try {
          return await open(path.join(directory, name), 'r');
        } catch (error) {
          if (isMissingPathError(error)) throw new DomainError('NOT_FOUND', 'No blob with that key.', { cause: error });
          throw error;
        }
      }),
    closed: () => reader.release(),
  };
}

function totalSize(pieces: readonly StoredPiece[]): number {
  return pieces.reduce((total, piece) => total + piece.sizeBytes, 0);
}

/**
 * Everything in tmp belongs to a write in progress or to one that was interrupted; only what is
 * provably dead is removed (docs/decisions.md 46):
 * - an entry this store did not write, when the store is `exclusive`: the data directory's lock
 *   proves that no other live process writes here, so its writer died (a crash before this start);
 * - any entry untouched for `olderThanMs` (the server passes 24 hours): a write in progress keeps
 *   writing to its file, so one silent that long is abandoned. "Touched" takes
 *   the change time too: a directory renamed into tmp (an upload being assembled, or a blob being
 *   deleted) keeps the modification time of its last new part, which may be days old, but the
 *   rename set its change time to now.
 */
async function sweepTemporary(layout: DiskLayout, olderThanMs: number, exclusive: boolean, clock: Clock): Promise<number> {
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new DomainError('BAD_REQUEST', 'olderThanMs must be a non-negative number.');
  const cutoff = clock.now() - olderThanMs;
  let removed = 0;
  for (const name of await readdir(layout.tempDirectory)) {
    const entryPath = path.join(layout.tempDirectory, name);
    try {
      const writerIsGone = exclusive && !layout.isOwnTemp(name);
      if (!writerIsGone) {
        const stats = await lstat(entryPath);
        if (Math.max(stats.mtimeMs, stats.ctimeMs) > cutoff) continue;
      }
      await rm(entryPath, { recursive: true, force: true });
      removed += 1;
    } catch (error) {
      // Finished (renamed away) between readdir and now: not a leftover.
      if (!isMissingPathError(error)) throw error;
    }
  }
  return removed;
}
