// listBlobs on disk: walks root/blobs/ab/cd/<key> (diskLayout.ts), one directory at a time, and
// yields the keys of blobs written before the cut-off. "Written" is the later of the entry's
// modification and change times: a blob assembled by completeUpload is a directory renamed into
// place, whose modification time is that of its last part (maybe days old) but whose change time
// is the rename (as sweepTemporary reads it, diskBlobStore.ts).
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DiskLayout } from './diskLayout.js';
import { isMissingPathError, withStorageErrors } from './fileSystemErrors.js';

/** Names in `directory`, or none if it is gone (emptied and removed meanwhile). */
async function namesIn(directory: string): Promise<string[]> {
  try {
    return await withStorageErrors(() => readdir(directory));
  } catch (error) {
    if (isMissingPathError(error)) return [];
    throw error;
  }
}

function isBlobPath(layout: DiskLayout, key: string, entryPath: string): boolean {
  try {
    return layout.blobPath(key) === entryPath;
  } catch {
    return false; // not a key this store issues
  }
}

export async function* listBlobs(layout: DiskLayout, input: { writtenBefore: number; signal?: AbortSignal }): AsyncGenerator<string> {
  for (const first of await namesIn(layout.blobsDirectory)) {
    for (const second of await namesIn(path.join(layout.blobsDirectory, first))) {
      const directory = path.join(layout.blobsDirectory, first, second);
      for (const key of await namesIn(directory)) {
        input.signal?.throwIfAborted();
        const entryPath = path.join(directory, key);
        if (!isBlobPath(layout, key, entryPath)) continue;
        try {
          const stats = await withStorageErrors(() => lstat(entryPath));
          if (Math.max(stats.mtimeMs, stats.ctimeMs) < input.writtenBefore) yield key;
        } catch (error) {
          if (!isMissingPathError(error)) throw error; // deleted meanwhile: not listed
        }
      }
    }
  }
}
