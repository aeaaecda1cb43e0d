// Helpers for the BlobStore contract suite: generating bodies of every shape a caller may pass
// (stream, async iterable, failing, stalled), reading results back, and checking error codes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { isDomainError, type ErrorCode } from '../../core/errors.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
/** S3's smallest multipart part (every part but the last), so the staged tests exercise its native path. */
export const SMALLEST_MULTIPART_PART = 5 * MiB;

export function randomData(sizeBytes: number): Buffer {
  return randomBytes(sizeBytes);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function* slices(bytes: Uint8Array, chunkBytes: number): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkBytes) {
    yield bytes.subarray(offset, Math.min(offset + chunkBytes, bytes.byteLength));
  }
}

/** A byte stream delivering `bytes` in chunks, like a request body. */
export function streamOf(bytes: Uint8Array, chunkBytes = 64 * KiB): Readable {
  return Readable.from(slices(bytes, chunkBytes), { objectMode: false });
}

/** A plain async iterable (not a stream) of chunks. */
export async function* asyncChunksOf(bytes: Uint8Array, chunkBytes = 64 * KiB): AsyncGenerator<Uint8Array> {
  for (const chunk of slices(bytes, chunkBytes)) yield chunk;
}

/** A body that delivers `bytesBeforeFailure` bytes and then fails, like a dropped connection. */
export async function* failingBody(bytesBeforeFailure: number, failure: Error): AsyncGenerator<Uint8Array> {
  yield* asyncChunksOf(randomData(bytesBeforeFailure));
  throw failure;
}

/** A body that delivers `bytesBeforeStall` bytes and then nothing more, like a client gone silent. */
export function stalledBody(bytesBeforeStall: number): Readable {
  const body = new Readable({ read() {} });
  body.push(randomData(bytesBeforeStall));
  return body;
}

/**
 * The same as a plain async iterable: a generator stuck awaiting cannot be destroyed from outside,
 * so only a store that honours its signal independently of the body can give up on it.
 */
export async function* stalledAsyncBody(bytesBeforeStall: number): AsyncGenerator<Uint8Array> {
  yield randomData(bytesBeforeStall);
  await new Promise<never>(() => undefined);
}

export async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function assertRejectsWithCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isDomainError(error, code), `expected DomainError ${code}, got ${String(error)}`);
    return true;
  });
}

export function abortedSignal(reason: Error): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}
