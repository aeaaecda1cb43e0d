// The BlobInventory port (src/core/ports/blobInventory.ts) over the S3 layout (s3Names.ts): blobs
// are the objects under `blobs/`, listed a page (1,000 objects) at a time; staged uploads are the
// open ones, those with an `uploads/<key>/open` marker and a multipart upload for `blobs/<key>`
// (a multipart upload without a marker is a put in flight, not a staged upload; s3Sweep.ts).
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { systemClock } from '../../../core/ports/clock.js';
import type { BlobInventory, ListedBlob, ListedUpload } from '../../../core/ports/blobInventory.js';
import { createS3Client, withS3Errors, type S3ClientOptions, type S3Context } from './s3Client.js';
import { listMultipartUploads } from './s3Listing.js';
import { encodeUploadId, s3Names } from './s3Names.js';

async function* listPages(context: Pick<S3Context, 'client' | 'bucket'>, prefix: string, signal?: AbortSignal) {
  let continuationToken: string | undefined;
  do {
    const page = await withS3Errors(signal, () =>
      context.client.send(new ListObjectsV2Command({ Bucket: context.bucket, Prefix: prefix, ContinuationToken: continuationToken }), { abortSignal: signal }),
    );
    yield page.Contents ?? [];
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
}

export function s3BlobInventory(input: { client: S3Client; bucket: string; prefix?: string }): BlobInventory {
  const names = s3Names(input.prefix ?? '');
  // Only listing uses it: no part is written and no age is computed here.
  const context: S3Context = { client: input.client, bucket: input.bucket, names, partSizeBytes: 0, clock: systemClock };
  return {
    async *blobs(signal): AsyncGenerator<ListedBlob> {
      for await (const page of listPages(context, names.blobsPrefix, signal)) {
        for (const object of page) {
          const key = object.Key === undefined ? undefined : names.blobKeyOf(object.Key);
          if (key !== undefined) yield { key, sizeBytes: object.Size ?? 0, modifiedAt: object.LastModified?.getTime() ?? 0 };
        }
      }
    },
    async *uploads(signal): AsyncGenerator<ListedUpload> {
      const open = new Map<string, number>();
      for await (const page of listPages(context, names.uploadsPrefix, signal)) {
        for (const object of page) {
          const entry = object.Key === undefined ? undefined : names.uploadEntryOf(object.Key);
          if (entry?.entry === 'open') open.set(entry.key, object.LastModified?.getTime() ?? 0);
        }
      }
      for (const upload of await listMultipartUploads(context, names.blobsPrefix)) {
        const key = names.blobKeyOf(upload.objectName);
        const markedAt = key === undefined ? undefined : open.get(key);
        if (key !== undefined && markedAt !== undefined) yield { uploadId: encodeUploadId({ key, s3UploadId: upload.s3UploadId }), modifiedAt: markedAt };
      }
    },
  };
}

/** An inventory with a client of its own; close() releases it. */
export function openS3BlobInventory(options: S3ClientOptions & { bucket: string; prefix?: string }): BlobInventory & { close(): void } {
  const client = createS3Client(options);
  return { ...s3BlobInventory({ client, bucket: options.bucket, prefix: options.prefix }), close: () => client.destroy() };
}
