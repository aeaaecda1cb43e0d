// The S3 BlobStore: the scale-out deployment's bytes live in one bucket of any S3-compatible
// store (AWS S3, Ceph RGW, MinIO, ...), under an optional prefix. Many stateless servers may share
// the bucket: nothing is kept in memory between calls (staged uploads carry their state in their
// ids, see s3StagedUploads.ts).
//
//   put                 s3Writes.ts: streamed, bounded memory, all-or-nothing
//   get / delete        GetObject (Range passed through) / DeleteObject
//   staged uploads      s3StagedUploads.ts
//   sweepTemporary      s3Sweep.ts
//   listBlobs           s3Sweep.ts
//   ping / close        HeadBucket / client.destroy()
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { addAbortSignal, type Readable } from 'node:stream';
import { DomainError } from '../../../core/errors.js';
import type { BlobStore, ByteRange } from '../../../core/ports/blobStore.js';
import { systemClock, type Clock } from '../../../core/ports/clock.js';
import { translatedBody } from './s3Bodies.js';
import { createS3Client, httpStatusOf, s3ErrorCode, toDomainError, withS3Errors, type S3ClientOptions, type S3Context } from './s3Client.js';
import { isValidKey, newKey, s3Names } from './s3Names.js';
import * as stagedUploads from './s3StagedUploads.js';
import { listBlobs, sweepTemporary } from './s3Sweep.js';
import { DEFAULT_PART_SIZE_BYTES, MAX_PART_BYTES, MIN_MULTIPART_PART_BYTES, putObjectStreaming } from './s3Writes.js';

export interface S3BlobStoreOptions extends S3ClientOptions {
  bucket: string;
  /** Every object the store writes is named under it (e.g. 'datafiles/'). */
  prefix?: string;
  /** Bytes buffered per part when a body's length is unknown (default 8 MiB, at least 5 MiB). */
  partSizeBytes?: number;
  /** What "now" is for the sweep's age cut-off; the system clock by default. */
  clock?: Clock;
}

/** Connects, creates the bucket if it does not exist, and returns the store. */
export async function openS3BlobStore(options: S3BlobStoreOptions): Promise<BlobStore> {
  const client = createS3Client(options);
  try {
    await ensureBucketPatiently(client, options.bucket, options.region);
  } catch (error) {
    client.destroy();
    const translated = toDomainError(error);
    throw translated instanceof DomainError
      ? translated
      : new DomainError('DEPENDENCY_UNAVAILABLE', `The S3 bucket ${options.bucket} cannot be used (${s3ErrorCode(error) ?? 'error'}).`, { cause: error });
  }
  return s3BlobStoreOnClient({ client, bucket: options.bucket, prefix: options.prefix, partSizeBytes: options.partSizeBytes, clock: options.clock });
}

/** The store over a client made by createS3Client (tests watch its requests); takes ownership of it. */
export function s3BlobStoreOnClient(input: { client: S3Client; bucket: string; prefix?: string; partSizeBytes?: number; clock?: Clock }): BlobStore {
  const partSizeBytes = input.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
  if (!Number.isSafeInteger(partSizeBytes) || partSizeBytes < MIN_MULTIPART_PART_BYTES || partSizeBytes > MAX_PART_BYTES) {
    throw new RangeError(`partSizeBytes must be from ${MIN_MULTIPART_PART_BYTES} to ${MAX_PART_BYTES}.`);
  }
  const context: S3Context = {
    client: input.client,
    bucket: input.bucket,
    names: s3Names(input.prefix ?? ''),
    partSizeBytes,
    clock: input.clock ?? systemClock,
  };
  const { client, bucket, names } = context;

  return {
    put: async (input) => {
      const key = newKey();
      const sizeBytes = await putObjectStreaming(context, { objectName: names.blob(key), body: input.body, signal: input.signal, sizeHint: input.sizeHint });
      return { key, sizeBytes };
    },

    get: async (input) => {
      const { key, range, signal } = input;
      signal?.throwIfAborted();
      const response = await withS3Errors(signal, () =>
        client.send(new GetObjectCommand({ Bucket: bucket, Key: names.blob(key), Range: range && rangeHeader(range) }), { abortSignal: signal }),
      );
      const body = translatedBody(response.Body as Readable);
      return signal ? addAbortSignal(signal, body) : body;
    },

    delete: async (key) => {
      // Like the disk store: a key this store cannot have issued is NOT_FOUND; a missing one is fine.
      if (!isValidKey(key)) throw new DomainError('NOT_FOUND', 'No blob with that key.');
      await withS3Errors(undefined, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: names.blob(key) })));
    },

    createUpload: (input) => stagedUploads.createUpload(context, input?.signal),
    putPart: (input) => stagedUploads.putPart(context, input),
    getPart: (input) => stagedUploads.getPart(context, input),
    deletePart: (input) => stagedUploads.deletePart(context, input),
    completeUpload: (input) => stagedUploads.completeUpload(context, input),
    abortUpload: (input) => stagedUploads.abortUpload(context, input),

    listBlobs: (input) => listBlobs(context, input),
    sweepTemporary: (input) => sweepTemporary(context, input.olderThanMs),

    ping: async () => {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        throw new DomainError('DEPENDENCY_UNAVAILABLE', `The S3 bucket ${bucket} cannot be used (${s3ErrorCode(error) ?? 'error'}).`, { cause: error });
      }
    },

    close: async () => {
      client.destroy();
    },
  };
}

/** HTTP's inclusive `bytes=start-end`, checked as the disk store checks it. S3 cuts an end past the last byte. */
function rangeHeader(range: ByteRange): string {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new DomainError('BAD_REQUEST', 'A byte range needs whole numbers with 0 <= start <= end.');
  }
  return `bytes=${start}-${end}`;
}

/** Attempts of ensureBucket at start-up when S3 is slow to answer. */
const START_UP_ATTEMPTS = 3;

/**
 * Requests are not retried after a timeout (s3Client.ts: a caller waits at most the dependency
 * timeout for its 503). At start-up nobody waits for a 503, and a slow first answer (a bucket
 * being created on a busy or freshly started RGW) should not stop the server: try again.
 */
async function ensureBucketPatiently(client: S3Client, bucket: string, region: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await ensureBucket(client, bucket, region);
    } catch (error) {
      if (attempt >= START_UP_ATTEMPTS || (error as { name?: string } | undefined)?.name !== 'TimeoutError') throw error;
    }
  }
}

async function ensureBucket(client: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (httpStatusOf(error) !== 404) throw error;
  }
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is S3's default location and must not be named.
        CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as never },
      }),
    );
  } catch (error) {
    // Created by another server starting at the same moment.
    if (s3ErrorCode(error) !== 'BucketAlreadyOwnedByYou') throw error;
  }
}
