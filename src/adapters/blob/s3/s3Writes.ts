// Writing one object from a caller's body, streamed, all-or-nothing: until the write completes
// nothing is visible under the object's name (a previous object of that name stays as it was),
// and a failed or cancelled write leaves nothing behind.
//
// Length known (staged parts whose size the caller announces): one PutObject whose body streams
// straight through, nothing buffered.
// Length unknown (put, parts of unannounced size): S3 needs each request's length up front, so
// the body is cut into parts buffered in memory. A body that ends within the first part is one
// PutObject; a longer one becomes an S3 multipart upload, with at most PARTS_IN_FLIGHT parts
// uploading while the next one fills: memory per write is bounded by
// (PARTS_IN_FLIGHT + 1) x part size. On any failure the multipart upload is aborted.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { DomainError } from '../../../core/errors.js';
import type { ByteSource } from '../../../core/ports/blobStore.js';
import { chunksOf, exactly, sendStreamingBody } from './s3Bodies.js';
import { toDomainError, withS3Errors, type S3Context } from './s3Client.js';

const MiB = 1024 * 1024;
export const MIN_MULTIPART_PART_BYTES = 5 * MiB;
export const MAX_PART_BYTES = 5 * 1024 * MiB;
/** Also the largest single PutObject. */
export const MAX_SINGLE_PUT_BYTES = MAX_PART_BYTES;
export const MAX_MULTIPART_PARTS = 10_000;
export const DEFAULT_PART_SIZE_BYTES = 8 * MiB;
const PARTS_IN_FLIGHT = 2;
/** Parts per size tier: an unannounced body may be large, so every 1,000 parts the size doubles. */
const PARTS_PER_TIER = 1_000;

/** Streams a body of announced length into a new object with one PutObject; returns its size. */
export async function putObjectOfKnownSize(
  context: S3Context,
  input: { objectName: string; body: ByteSource; sizeBytes: number; signal?: AbortSignal },
): Promise<number> {
  const { objectName, sizeBytes, signal } = input;
  if (sizeBytes > MAX_SINGLE_PUT_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE');
  await sendStreamingBody(exactly(chunksOf(input.body, signal), sizeBytes), signal, (body, abortSignal) =>
    context.client.send(new PutObjectCommand({ Bucket: context.bucket, Key: objectName, Body: body, ContentLength: sizeBytes }), {
      abortSignal,
      requestTimeout: 0, // the body's pace is the caller's; the idle timeout still applies
    }),
  );
  return sizeBytes;
}

/** Streams a body of unknown length into a new object (see the top of this file); returns its size. */
export async function putObjectStreaming(
  context: S3Context,
  input: { objectName: string; body: ByteSource; signal?: AbortSignal; sizeHint?: number },
): Promise<number> {
  const { client, bucket } = context;
  const { objectName, signal } = input;
  signal?.throwIfAborted();
  const partSize = partSizer(context.partSizeBytes, input.sizeHint);
  const buffer = new PartBuffer();
  let totalBytes = 0;

  // The multipart upload, created once the body proves longer than one part.
  let s3UploadId: string | undefined;
  const completedParts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let partFailure: { error: unknown } | undefined;
  const stopParts = new AbortController();

  const startPart = async (bytes: Buffer): Promise<void> => {
    if (s3UploadId === undefined) {
      const created = await withS3Errors(signal, () =>
        client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: objectName }), { abortSignal: signal }),
      );
      if (!created.UploadId) throw new Error('S3 CreateMultipartUpload returned no UploadId.');
      s3UploadId = created.UploadId;
    }
    const uploadId = s3UploadId;
    const partNumber = completedParts.length + inFlight.size + 1;
    if (partNumber > MAX_MULTIPART_PARTS) throw new DomainError('PAYLOAD_TOO_LARGE');
    const uploading = client
      .send(new UploadPartCommand({ Bucket: bucket, Key: objectName, UploadId: uploadId, PartNumber: partNumber, Body: bytes, ContentLength: bytes.length }), {
        abortSignal: stopParts.signal,
      })
      .then(
        (result) => {
          completedParts.push({ PartNumber: partNumber, ETag: result.ETag });
        },
        (error: unknown) => {
          partFailure ??= { error: toDomainError(error) };
        },
      )
      .finally(() => inFlight.delete(uploading));
    inFlight.add(uploading);
    // Backpressure: read no further while the queue is full.
    while (inFlight.size >= PARTS_IN_FLIGHT && !partFailure) await Promise.race(inFlight);
    if (partFailure) throw partFailure.error;
  };

  try {
    for await (const chunk of chunksOf(input.body, signal)) {
      totalBytes += chunk.length;
      buffer.append(chunk);
      while (buffer.sizeBytes >= partSize(completedParts.length + inFlight.size + 1)) {
        await startPart(buffer.take(partSize(completedParts.length + inFlight.size + 1)));
      }
    }
    if (s3UploadId === undefined) {
      const bytes = buffer.take(buffer.sizeBytes);
      await withS3Errors(signal, () =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: objectName, Body: bytes, ContentLength: bytes.length }), { abortSignal: signal }),
      );
      return totalBytes;
    }
    if (buffer.sizeBytes > 0) await startPart(buffer.take(buffer.sizeBytes));
    await Promise.all(inFlight);
    if (partFailure) throw partFailure.error;
    const uploadId = s3UploadId;
    const parts = [...completedParts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await withS3Errors(signal, () =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: objectName, UploadId: uploadId, MultipartUpload: { Parts: parts } }), {
        abortSignal: signal,
      }),
    );
    return totalBytes;
  } catch (error) {
    stopParts.abort();
    await Promise.allSettled(inFlight);
    if (s3UploadId !== undefined) await abortQuietly(context, objectName, s3UploadId);
    if (signal?.aborted) throw signal.reason;
    // S3's errors were translated where they happened; the body's own (a client's ECONNRESET
    // is not S3 being unavailable) pass through as they are.
    throw error;
  }
}

/** Best effort; what it fails to remove, sweepTemporary finds later (ListMultipartUploads). */
async function abortQuietly(context: S3Context, objectName: string, s3UploadId: string): Promise<void> {
  try {
    await context.client.send(new AbortMultipartUploadCommand({ Bucket: context.bucket, Key: objectName, UploadId: s3UploadId }));
  } catch {
    // left for the sweep
  }
}

/**
 * Size of part n: the configured size, raised so that a body of `sizeHint` bytes fits in about
 * 9,000 parts, and doubled every 1,000 parts so that even an unannounced body of terabytes fits
 * in S3's 10,000 (each tier stays within S3's 5 MiB to 5 GiB).
 */
export function partSizer(configuredBytes: number, sizeHint: number | undefined): (partNumber: number) => number {
  let base = Math.max(configuredBytes, MIN_MULTIPART_PART_BYTES);
  if (sizeHint !== undefined && Number.isFinite(sizeHint) && sizeHint > 0) {
    base = Math.max(base, Math.ceil(sizeHint / 9_000 / MiB) * MiB);
  }
  return (partNumber) => Math.min(MAX_PART_BYTES, base * 2 ** Math.floor((partNumber - 1) / PARTS_PER_TIER));
}

/** Chunks waiting to become a part; take() copies exactly the bytes asked for into one Buffer. */
class PartBuffer {
  private chunks: Buffer[] = [];
  sizeBytes = 0;

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.sizeBytes += chunk.length;
  }

  take(bytes: number): Buffer {
    const part = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, bytes - filled);
      chunk.copy(part, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    this.sizeBytes -= bytes;
    return part;
  }
}
