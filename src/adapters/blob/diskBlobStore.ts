// The local-disk BlobStore: the embedded deployment's bytes live in plain files under one root.
// Layout and id rules are in diskLayout.ts, durable writes in durableFiles.ts, staged uploads in
// diskStagedUploads.ts. Nothing is held open between calls, so close() has nothing to release.
import { access, constants, mkdir, readdir, rename, rm, lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import { DomainError } from '../../core/errors.js';
import type { BlobStore, StoredBlob } from '../../core/ports/blobStore.js';
import { readManifest } from './compositeManifest.js';
import { diskLayout, newId, type DiskLayout } from './diskLayout.js';
import * as stagedUploads from './diskStagedUploads.js';
import { fsyncDirectory, makeDirectoryDurably, writeBodyToNewFile } from './durableFiles.js';
import { isMissingPathError, withStorageErrors } from './fileSystemErrors.js';
import { planSegments, resolveRange, streamSegments, type StoredPiece } from './segmentedReads.js';

export interface DiskBlobStoreOptions {
  /** Directory that holds everything the store writes; created if missing. */
  root: string;
}

export async function openDiskBlobStore(options: DiskBlobStoreOptions): Promise<BlobStore> {
  const layout = diskLayout(options.root);
  await withStorageErrors(async () => {
    for (const directory of [layout.blobsDirectory, layout.uploadsDirectory, layout.tempDirectory]) {
      await mkdir(directory, { recursive: true });
    }
  });
  return diskBlobStore(layout);
}

function diskBlobStore(layout: DiskLayout): BlobStore {
  return {
    // sizeHint is not needed here: a file grows as it is written.
    put: (input) =>
      withStorageErrors(async () => {
        const tempPath = layout.newTempPath();
        const sizeBytes = await writeBodyToNewFile({ body: input.body, filePath: tempPath, signal: input.signal });
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
        const pieces = await piecesOfBlob(layout, input.key);
        const span = resolveRange(input.range, totalSize(pieces));
        return streamSegments(planSegments(pieces, span), input.signal);
      }),

    stat: (key) =>
      withStorageErrors(async (): Promise<StoredBlob> => ({ key, sizeBytes: totalSize(await piecesOfBlob(layout, key)) })),

    delete: (key) =>
      withStorageErrors(async () => {
        const blobPath = layout.blobPath(key);
        // Moved out of the blob tree first, so a composite blob disappears at once, not part by part.
        const doomed = layout.newTempPath();
        try {
          await rename(blobPath, doomed);
        } catch (error) {
          if (isMissingPathError(error)) return;
          throw error;
        }
        await rm(doomed, { recursive: true, force: true });
      }),

    createUpload: (input) => withStorageErrors(() => stagedUploads.createUpload(layout, input?.signal)),
    putPart: (input) => withStorageErrors(() => stagedUploads.putPart(layout, input)),
    getPart: (input) => withStorageErrors(() => stagedUploads.getPart(layout, input)),
    deletePart: (input) => withStorageErrors(() => stagedUploads.deletePart(layout, input)),
    completeUpload: (input) => withStorageErrors(() => stagedUploads.completeUpload(layout, input)),
    abortUpload: (input) => withStorageErrors(() => stagedUploads.abortUpload(layout, input)),

    sweepTemporary: (input) => withStorageErrors(() => sweepTemporary(layout, input.olderThanMs)),

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

/** A blob written by put is one file; a completed upload is a directory of parts with a manifest. */
async function piecesOfBlob(layout: DiskLayout, key: string): Promise<StoredPiece[]> {
  const blobPath = layout.blobPath(key);
  let stats;
  try {
    stats = await stat(blobPath);
  } catch (error) {
    if (isMissingPathError(error)) throw new DomainError('NOT_FOUND', 'No blob with that key.', { cause: error });
    throw error;
  }
  if (stats.isFile()) return [{ filePath: blobPath, sizeBytes: stats.size }];
  if (!stats.isDirectory()) throw new DomainError('NOT_FOUND', 'No blob with that key.');
  const parts = await readManifest(blobPath);
  return parts.map((part) => ({ filePath: path.join(blobPath, part.file), sizeBytes: part.sizeBytes }));
}

function totalSize(pieces: readonly StoredPiece[]): number {
  return pieces.reduce((total, piece) => total + piece.sizeBytes, 0);
}

/**
 * Everything in tmp belongs to a write in progress or to one a crash interrupted. A write in
 * progress keeps touching its file, so only entries untouched for `olderThanMs` are removed; the
 * server runs this at start-up, when nothing is in progress at all.
 */
async function sweepTemporary(layout: DiskLayout, olderThanMs: number): Promise<number> {
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new DomainError('BAD_REQUEST', 'olderThanMs must be a non-negative number.');
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  for (const name of await readdir(layout.tempDirectory)) {
    const entryPath = path.join(layout.tempDirectory, name);
    try {
      if ((await lstat(entryPath)).mtimeMs > cutoff) continue;
      await rm(entryPath, { recursive: true, force: true });
      removed += 1;
    } catch (error) {
      // Finished (renamed away) between readdir and now: not a leftover.
      if (!isMissingPathError(error)) throw error;
    }
  }
  return removed;
}
