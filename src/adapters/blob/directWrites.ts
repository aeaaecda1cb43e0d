// Writing a body with O_DIRECT on Linux (docs/decisions.md 170-172): the bytes go from a staging
// buffer to the disk without passing through the page cache, which saves the kernel the copy into
// fresh cache pages (the largest part of the server's system time per uploaded GiB).
//
// Hand-written, because no maintained Node library does this: O_DIRECT needs buffers whose address,
// length and file offset are all multiples of the device's block size, and Node's Buffers are only
// 16-byte aligned. A WebAssembly.Memory's backing store is page-aligned, so views on it qualify.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from '../../core/ports/blobStore.js';
import { errorCodeOf } from './fileSystemErrors.js';
import { untilAborted } from './untilAborted.js';

/** Alignment of every direct write's address, length and offset: a page, a multiple of any common block size. */
export const DIRECT_ALIGNMENT = 4096;
/** One staging buffer. Each direct upload holds two: one fills while the other is written. */
export const STAGING_BUFFER_BYTES = 512 * 1024;
/** Staging buffers in all (16 MiB, 16 uploads at once); an upload that finds none left is written buffered. */
const MAX_STAGING_BUFFERS = 32;
const WASM_PAGE_BYTES = 64 * 1024;
/** Chunks this large are held until written (see writeBodyDirect). */
const HELD_CHUNK_MIN_BYTES = 16 * 1024;

/**
 * The staging buffers of this process. One WebAssembly.Memory holds them all (each Memory reserves
 * a large range of address space, so not one per buffer), created at first use. Its pages become
 * resident only once written, and the most recently returned buffer is taken first, so the memory
 * actually used stays near the peak number of direct uploads at once, 1 MiB each.
 */
export class StagingPool {
  private memory: WebAssembly.Memory | undefined;
  private readonly free: Uint8Array[] = [];
  private created = 0;
  private taken = 0;

  constructor(
    private readonly bufferBytes = STAGING_BUFFER_BYTES,
    private readonly capacity = MAX_STAGING_BUFFERS,
  ) {}

  /** Buffers taken and not yet given back (the tests check it returns to 0). */
  get inUse(): number {
    return this.taken;
  }

  /** `count` buffers, or undefined when the pool has fewer left. */
  take(count: number): Uint8Array[] | undefined {
    if (this.free.length + (this.capacity - this.created) < count) return undefined;
    const buffers: Uint8Array[] = [];
    while (buffers.length < count) buffers.push(this.free.pop() ?? this.createBuffer());
    this.taken += count;
    return buffers;
  }

  give(buffers: Uint8Array[]): void {
    this.taken -= buffers.length;
    this.free.push(...buffers);
  }

  private createBuffer(): Uint8Array {
    this.memory ??= new WebAssembly.Memory({ initial: Math.ceil((this.bufferBytes * this.capacity) / WASM_PAGE_BYTES) });
    return new Uint8Array(this.memory.buffer, this.bufferBytes * this.created++, this.bufferBytes);
  }
}

export const stagingPool = new StagingPool();

/**
 * A second descriptor on the new, empty file `filePath`, opened for direct writes; undefined where
 * that is not possible (no O_DIRECT on this platform, or a file system that refuses it with EINVAL,
 * such as ramfs). The file is created first by the caller's exclusive open, because an
 * open(O_CREAT | O_DIRECT) that fails with EINVAL has already created the file.
 */
export async function openForDirectWrites(filePath: string): Promise<FileHandle | undefined> {
  const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT;
  if (O_DIRECT === undefined) return undefined;
  try {
    return await open(filePath, constants.O_WRONLY | O_DIRECT);
  } catch (error) {
    if (errorCodeOf(error) === 'EINVAL') return undefined;
    throw error;
  }
}

/**
 * Streams `body` into `handle` (opened by openForDirectWrites on an empty file) through the two
 * staging `buffers` and returns the body's size. Only whole buffers are written while the body
 * arrives; the last, partial one is written padded with zeros to DIRECT_ALIGNMENT and the file is
 * then truncated to the body's size. A chunk is acknowledged as soon as it is copied, unless both
 * buffers are full and one is still being written: that wait is the backpressure. The caller
 * fsyncs, closes, and removes the file on failure; when this returns or throws, no write is in
 * flight any more and the buffers may be given back.
 */
export async function writeBodyDirect(input: { body: ByteSource; handle: FileHandle; buffers: Uint8Array[]; signal?: AbortSignal }): Promise<number> {
  const { body, handle, signal } = input;
  let [filling, spare] = input.buffers;
  let filled = 0;
  let position = 0;
  let inFlight: Promise<void> | undefined;
  let failure: unknown;
  let stopped = false;
  // The sink's current write(), so that the end waits for it whatever happened to the pipeline.
  let current: Promise<void> = Promise.resolve();

  // The chunks copied into the buffer being filled, kept referenced until that buffer is written
  // (docs/decisions.md 172). Letting each chunk go as soon as it is copied was measured worse: the
  // HTTP parser's next chunk then took fresh pages from the kernel (glibc gave the top of its heap
  // back each time), 115,000 page faults and 0.7 CPU-s more per GiB on the main thread. Held this
  // way, the chunks live about as long as on the buffered path, and the faults were 12,000. Small
  // chunks are not held: they do not matter to the heap, and a client trickling single bytes must
  // not make a million of them live (what is held stays near 1 MiB per upload).
  let held: Uint8Array[] = [];
  const startWrite = (buffer: Uint8Array, at: number) => {
    const release = held;
    held = [];
    inFlight = writeFullyAt(handle, buffer, at).then(
      () => {
        release.length = 0;
      },
      (error: unknown) => {
        failure ??= error;
      },
    );
  };
  const waitForWrite = async () => {
    if (inFlight) await inFlight;
    inFlight = undefined;
    if (failure) throw failure;
  };
  const take = async (chunk: Uint8Array) => {
    if (stopped) throw new Error('the body was abandoned');
    if (chunk.byteLength >= HELD_CHUNK_MIN_BYTES) held.push(chunk);
    for (let offset = 0; offset < chunk.byteLength;) {
      const count = Math.min(chunk.byteLength - offset, filling.byteLength - filled);
      filling.set(chunk.subarray(offset, offset + count), filled);
      filled += count;
      offset += count;
      if (filled < filling.byteLength) continue;
      await waitForWrite();
      if (stopped) throw new Error('the body was abandoned');
      startWrite(filling, position);
      position += filled;
      [filling, spare] = [spare, filling];
      filled = 0;
    }
  };
  const sink = new Writable({
    // Chunks are copied at once: the staging buffers, not a queue of chunks, hold the body.
    highWaterMark: 64 * 1024,
    write(chunk: Uint8Array, _encoding, callback) {
      current = take(chunk);
      current.then(() => callback(), callback);
    },
  });
  try {
    await untilAborted(pipeline(body, sink, { signal }), signal);
    await waitForWrite();
    if (filled > 0) {
      const padded = Math.ceil(filled / DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT;
      filling.fill(0, filled, padded);
      await writeFullyAt(handle, filling.subarray(0, padded), position);
      position += filled;
      if (padded !== filled) await handle.truncate(position);
    }
    return position;
  } finally {
    stopped = true;
    await current.catch(() => undefined);
    await inFlight;
  }
}

/** A positioned write may write less than asked; loop until all of `buffer` is written at `position`. */
async function writeFullyAt(handle: FileHandle, buffer: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < buffer.byteLength;) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.byteLength - done, position + done);
    // A write that makes no progress would be retried forever: fail instead.
    if (bytesWritten <= 0) throw new Error(`write wrote nothing of ${buffer.byteLength - done} bytes`);
    // The rest of a short write would start off the alignment, which O_DIRECT refuses (EINVAL).
    if (bytesWritten % DIRECT_ALIGNMENT !== 0 && done + bytesWritten < buffer.byteLength) {
      throw new Error(`a direct write stopped after ${bytesWritten} bytes, off the ${DIRECT_ALIGNMENT}-byte alignment`);
    }
    done += bytesWritten;
  }
}
