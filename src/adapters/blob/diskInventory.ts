// The BlobInventory port (src/core/ports/blobInventory.ts) over the disk store's layout
// (diskLayout.ts): blobs are the entries of blobs/ab/cd/ (a file, or the directory of an
// assembled blob, whose manifest.json is written last), staged uploads the directories of uploads/.
// Directories are read with opendir, entry by entry, so a listing never holds them whole.
import { opendir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BlobInventory, ListedBlob, ListedUpload } from '../../core/ports/blobInventory.js';
import { diskLayout } from './diskLayout.js';

const ID_FORMAT = /^[0-9a-f]{32}$/;
const FAN_OUT_FORMAT = /^[0-9a-f]{2}$/;

async function* entries(directory: string): AsyncGenerator<string> {
  let handle;
  try {
    handle = await opendir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for await (const entry of handle) yield entry.name;
}

/** Size and time of a blob: a file's own, or an assembled blob's parts summed and its manifest's time. */
async function blobFacts(blobPath: string): Promise<{ sizeBytes: number; modifiedAt: number } | undefined> {
  try {
    const facts = await stat(blobPath);
    if (!facts.isDirectory()) return { sizeBytes: facts.size, modifiedAt: facts.mtimeMs };
    let sizeBytes = 0;
    let modifiedAt = facts.mtimeMs;
    for await (const name of entries(blobPath)) {
      const part = await stat(path.join(blobPath, name));
      if (name !== 'manifest.json') sizeBytes += part.size;
      modifiedAt = Math.max(modifiedAt, part.mtimeMs);
    }
    return { sizeBytes, modifiedAt };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // deleted meanwhile
    throw error;
  }
}

export function diskBlobInventory(root: string): BlobInventory {
  const layout = diskLayout(root);
  return {
    async *blobs(signal): AsyncGenerator<ListedBlob> {
      for await (const first of entries(layout.blobsDirectory)) {
        if (!FAN_OUT_FORMAT.test(first)) continue;
        for await (const second of entries(path.join(layout.blobsDirectory, first))) {
          if (!FAN_OUT_FORMAT.test(second)) continue;
          for await (const key of entries(path.join(layout.blobsDirectory, first, second))) {
            signal?.throwIfAborted();
            if (!ID_FORMAT.test(key)) continue;
            const facts = await blobFacts(layout.blobPath(key));
            if (facts) yield { key, ...facts };
          }
        }
      }
    },
    async *uploads(signal): AsyncGenerator<ListedUpload> {
      for await (const uploadId of entries(layout.uploadsDirectory)) {
        signal?.throwIfAborted();
        if (!ID_FORMAT.test(uploadId)) continue;
        const facts = await blobFacts(layout.uploadDirectory(uploadId));
        if (facts) yield { uploadId, modifiedAt: facts.modifiedAt };
      }
    },
  };
}
