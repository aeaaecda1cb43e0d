// The durable-write primitives of the disk store (docs/architecture.md, "The write path"): a body is
// streamed into a new file, fsynced, and only then renamed into place; the directory whose entries
// changed is fsynced too, or a crash could forget the rename even though the bytes are on disk.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from '../../core/ports/blobStore.js';
import { OWNER_ONLY_DIRECTORY_MODE, OWNER_ONLY_FILE_MODE } from '../ownerOnly.js';
import { openForDirectWrites, stagingPool, writeBodyDirect } from './directWrites.js';
import { errorCodeOf } from './fileSystemErrors.js';
import { untilAborted } from './untilAborted.js';

/** Bytes written between two early writebacks (see writeBodyToNewFile). */
export const WRITEBACK_BYTES = 32 * 1024 * 1024;
/** Largest batch of chunks handed to one writev. */
const WRITE_BATCH_BYTES = 512 * 1024;

/**
 * Early writebacks in flight in this process. One at a time: each holds a thread of libuv's
 * small pool (4 by default) for as long as the disk takes, and the file operations of every other
 * request need those threads too.
 */
let writebacksInFlight = 0;
const MAX_WRITEBACKS_IN_FLIGHT = 1;

/** How writeBodyToNewFile wrote: around the page cache (O_DIRECT), or through it. */
export type WriteMode = 'direct' | 'buffered';

/**
 * Streams `body` into the new file `filePath` (which must not exist), fsyncs it and returns the
 * number of bytes written and how. If the body fails or `signal` aborts, the file is removed and
 * the promise rejects (with the signal's reason when aborted).
 *
 * With `direct` (docs/decisions.md 170), the body is written with O_DIRECT where the platform and
 * the file system allow it and two staging buffers are free (directWrites.ts); otherwise, and
 * with `direct` false, through the page cache (writeBuffered). Either way the final fsync is what
 * makes the file durable.
 */
export async function writeBodyToNewFile(input: {
  body: ByteSource;
  filePath: string;
  signal?: AbortSignal;
  direct?: boolean;
}): Promise<{ sizeBytes: number; mode: WriteMode }> {
  const { body, filePath, signal } = input;
  signal?.throwIfAborted();
  const handle = await open(filePath, 'wx', OWNER_ONLY_FILE_MODE);
  let directHandle: FileHandle | undefined;
  let buffers: Uint8Array[] | undefined;
  try {
    if (input.direct) buffers = stagingPool.take(2);
    if (buffers) directHandle = await openForDirectWrites(filePath);
    if (buffers && !directHandle) {
      // Refused here: the buffers go back at once, not after a buffered upload.
      stagingPool.give(buffers);
      buffers = undefined;
    }
    const sizeBytes = directHandle
      ? await writeBodyDirect({ body, handle: directHandle, buffers: buffers!, signal })
      : await writeBuffered({ body, handle, signal });
    // An fsync through either descriptor flushes the file's data and metadata (its size).
    await (directHandle ?? handle).sync();
    await directHandle?.close();
    await handle.close();
    return { sizeBytes, mode: directHandle ? 'direct' : 'buffered' };
  } catch (error) {
    // close() waits for a write in flight, so no byte lands after the unlink.
    await directHandle?.close().catch(() => undefined);
    await handle.close().catch(() => undefined);
    await rm(filePath, { force: true });
    throw signal?.aborted ? signal.reason : error;
  } finally {
    // writeBodyDirect returns or throws only once no write uses the buffers any more.
    if (buffers) stagingPool.give(buffers);
  }
}

/**
 * Writes `body` into `handle` through the page cache and returns its size.
 *
 * Throughput (docs/history.md, issue 6): the chunks that arrive while a write is in flight are written together
 * by the next writev, so a stream of 64 KiB chunks costs a few hundred system calls per GiB, not
 * thousands. And the disk works while the body is still arriving: every WRITEBACK_BYTES an
 * fdatasync is started in the background (not awaited), which makes the kernel write out what is
 * dirty so far. Without it the kernel would keep the whole file in the page cache until the final
 * fsync, which would then wait for all of it: on a disk of 600 MiB/s, a second and a half per GiB
 * added to every upload. (Direct writes leave nothing dirty, so they need none of this.)
 * Backpressure is natural: the next chunks are taken only once the previous batch is written.
 */
async function writeBuffered(input: { body: ByteSource; handle: FileHandle; signal?: AbortSignal }): Promise<number> {
  const { body, handle, signal } = input;
  let sizeBytes = 0;
  let sinceWriteback = 0;
  let writeback: Promise<void> | undefined;
  let writebackFailure: unknown;
  const startWriteback = () => {
    if (writeback || writebacksInFlight >= MAX_WRITEBACKS_IN_FLIGHT) return;
    sinceWriteback = 0;
    writebacksInFlight += 1;
    writeback = handle
      .datasync()
      .catch((error: unknown) => {
        writebackFailure ??= error;
      })
      .finally(() => {
        writebacksInFlight -= 1;
        writeback = undefined;
      });
  };
  const writeBatch = async (buffers: Uint8Array[]) => {
    if (writebackFailure) throw writebackFailure;
    const written = await writevFully(handle, buffers);
    sizeBytes += written;
    sinceWriteback += written;
    if (sinceWriteback >= WRITEBACK_BYTES) startWriteback();
  };
  const sink = new Writable({
    highWaterMark: WRITE_BATCH_BYTES,
    write(chunk: Buffer, _encoding, callback) {
      writeBatch([chunk]).then(() => callback(), callback);
    },
    writev(chunks, callback) {
      writeBatch(chunks.map(({ chunk }) => chunk as Buffer)).then(() => callback(), callback);
    },
  });
  // pipeline() honours the signal by destroying its streams, but a plain async generator stuck
  // awaiting (a stalled client) cannot be destroyed, so pipeline would wait for it forever.
  await untilAborted(pipeline(body, sink, { signal }), signal);
  if (writeback) await writeback;
  if (writebackFailure) throw writebackFailure;
  return sizeBytes;
}

/** FileHandle.writev may write fewer bytes than asked; loop until every buffer is written. Returns the bytes written. */
async function writevFully(handle: FileHandle, buffers: Uint8Array[]): Promise<number> {
  let total = 0;
  for (const buffer of buffers) total += buffer.byteLength;
  let pending = buffers;
  let remaining = total;
  while (remaining > 0) {
    const { bytesWritten } = await handle.writev(pending);
    // A write that makes no progress would be retried forever: fail instead.
    if (bytesWritten <= 0) throw new Error(`writev wrote nothing of ${remaining} bytes`);
    remaining -= bytesWritten;
    if (remaining === 0) break;
    // Drop what was written, keeping the rest of a buffer written in part.
    let skip = bytesWritten;
    let index = 0;
    while (skip >= pending[index].byteLength) skip -= pending[index++].byteLength;
    pending = [pending[index].subarray(skip), ...pending.slice(index + 1)];
  }
  return total;
}

/** Writes a small file (a manifest) completely and durably, without a partial version ever visible. */
export async function writeSmallFileDurably(input: { filePath: string; contents: string }): Promise<void> {
  // A random suffix, not the time: two writes in one millisecond must not pick the same name.
  const tempPath = `${input.filePath}.${process.pid}.${randomUUID()}.tmp`;
  const handle = await open(tempPath, 'wx', OWNER_ONLY_FILE_MODE);
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
 * mkdir -p (owner-only, docs/decisions.md 45), then fsyncs the parent of every directory it created, so a blob renamed into a new
 * fan-out directory does not vanish with that directory after a crash.
 */
export async function makeDirectoryDurably(directory: string): Promise<void> {
  const firstCreated = await mkdir(directory, { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  if (firstCreated === undefined) return;
  const changedParents: string[] = [];
  for (let current = path.resolve(directory); ; current = path.dirname(current)) {
    const parent = path.dirname(current);
    changedParents.push(parent);
    if (current === path.resolve(firstCreated) || parent === current) break;
  }
  for (const parent of changedParents) await fsyncDirectory(parent);
}
