// The durable-write primitives of the disk store (architecture.md, "The write path"): a body is
// streamed into a new file, fsynced, and only then renamed into place; the directory whose entries
// changed is fsynced too, or a crash could forget the rename even though the bytes are on disk.
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from '../../core/ports/blobStore.js';
import { errorCodeOf } from './fileSystemErrors.js';

/**
 * Streams `body` into the new file `filePath` (which must not exist), fsyncs it and returns the
 * number of bytes written. Backpressure is natural: the next chunk is read only once the previous
 * one is written. If the body fails or `signal` aborts, the file is removed and the promise
 * rejects (with the signal's reason when aborted).
 */
export async function writeBodyToNewFile(input: { body: ByteSource; filePath: string; signal?: AbortSignal }): Promise<number> {
  const { body, filePath, signal } = input;
  signal?.throwIfAborted();
  const handle = await open(filePath, 'wx');
  let sizeBytes = 0;
  try {
    const writing = pipeline(
      body,
      async function writeEveryChunk(source: AsyncIterable<Uint8Array | string>) {
        for await (const chunk of source) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          await writeFully(handle, bytes);
          sizeBytes += bytes.byteLength;
        }
      },
      { signal },
    );
    await settleOrAbort(writing, signal);
    await handle.sync();
  } catch (error) {
    // close() waits for a write in flight, so no byte lands after the unlink.
    await handle.close().catch(() => undefined);
    await rm(filePath, { force: true });
    throw signal?.aborted ? signal.reason : error;
  }
  await handle.close();
  return sizeBytes;
}

/**
 * pipeline() honours the signal by destroying its streams, but a plain async generator that is
 * stuck awaiting (a stalled client) cannot be destroyed, so pipeline would wait for it forever.
 * Racing the signal lets the write give up regardless.
 */
function settleOrAbort(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work;
  work.catch(() => undefined); // If the signal wins, the late outcome of `work` is irrelevant.
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** FileHandle.write may write fewer bytes than asked; loop until the chunk is all written. */
async function writeFully(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

/** Writes a small file (a manifest) completely and durably, without a partial version ever visible. */
export async function writeSmallFileDurably(input: { filePath: string; contents: string }): Promise<void> {
  const tempPath = `${input.filePath}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(tempPath, 'wx');
  try {
    await handle.writeFile(input.contents);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tempPath, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tempPath, input.filePath);
  await fsyncDirectory(path.dirname(input.filePath));
}

/** Makes a directory's entries (a rename, an unlink, a new child) durable. */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(directory, 'r');
  } catch (error) {
    if (errorCodeOf(error) === 'EISDIR') return; // Platforms that cannot open directories (Windows).
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on a directory; their renames are as durable as they get.
    if (!['EINVAL', 'EPERM', 'EBADF', 'EISDIR'].includes(errorCodeOf(error) ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

/**
 * mkdir -p, then fsyncs the parent of every directory it created, so a blob renamed into a new
 * fan-out directory does not vanish with that directory after a crash.
 */
export async function makeDirectoryDurably(directory: string): Promise<void> {
  const firstCreated = await mkdir(directory, { recursive: true });
  if (firstCreated === undefined) return;
  const changedParents: string[] = [];
  for (let current = path.resolve(directory); ; current = path.dirname(current)) {
    const parent = path.dirname(current);
    changedParents.push(parent);
    if (current === path.resolve(firstCreated) || parent === current) break;
  }
  for (const parent of changedParents) await fsyncDirectory(parent);
}
