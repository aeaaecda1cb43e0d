// sweepTemporary on S3: what interrupted writes leave behind, and only that.
//   1. Multipart uploads initiated before the cutoff, except those of open staged uploads (their
//      `uploads/<key>/open` marker exists): a put or a part of unannounced size that never
//      finished (the process died before it could abort), or a multipart upload whose abort
//      failed. They are aborted.
//   2. Staged objects under `uploads/<key>/` whose upload is closed (no multipart upload for
//      `blobs/<key>` any more) and that are all older than the cutoff: a part that finished after
//      its upload was completed or aborted, or tidying that failed. They are deleted.
// Open staged uploads are left alone however old: their lifetime belongs to whoever opened them,
// who ends it with completeUpload or abortUpload (the disk store sweeps only its tmp/ alike).
// Returns how many multipart uploads and orphaned upload directories were removed.
import { AbortMultipartUploadCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DomainError } from '../../../core/errors.js';
import { isMissingObject, isMissingUpload, toDomainError, withS3Errors, type S3Context } from './s3Client.js';
import { deleteObjects, listMultipartUploads, listObjects, type ListedObject } from './s3Listing.js';

export async function sweepTemporary(context: S3Context, olderThanMs: number): Promise<number> {
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new DomainError('BAD_REQUEST', 'olderThanMs must be a non-negative number.');
  const { client, bucket, names } = context;
  const cutoff = context.clock.now() - olderThanMs;
  let removed = 0;

  // Listed before the staged objects: an upload created after this listing has only objects
  // newer than the cutoff (unless the cutoff is "now", meant for when nothing is in progress).
  const multipartUploads = await listMultipartUploads(context, names.root);
  const openBlobKeys = new Set(multipartUploads.map((upload) => names.blobKeyOf(upload.objectName)).filter((key) => key !== undefined));

  for (const upload of multipartUploads) {
    if (upload.initiated.getTime() > cutoff) continue;
    const blobKey = names.blobKeyOf(upload.objectName);
    if (blobKey !== undefined && (await objectExists(context, names.openMarker(blobKey)))) continue;
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.objectName, UploadId: upload.s3UploadId }));
      removed += 1;
    } catch (error) {
      if (!isMissingUpload(error)) throw toDomainError(error); // finished or aborted meanwhile
    }
  }

  const byUpload = new Map<string, ListedObject[]>();
  for (const object of await listObjects(context, names.uploadsPrefix)) {
    const key = names.uploadEntryOf(object.name)?.key;
    if (key === undefined || openBlobKeys.has(key)) continue;
    byUpload.set(key, [...(byUpload.get(key) ?? []), object]);
  }
  for (const objects of byUpload.values()) {
    if (objects.some((object) => object.lastModified.getTime() > cutoff)) continue;
    await deleteObjects(
      context,
      objects.map((object) => object.name),
    );
    removed += 1;
  }
  return removed;
}

/** listBlobs on S3: the blobs/ objects last modified before the cut-off, one listing page at a time. */
export async function* listBlobs(context: S3Context, input: { writtenBefore: number; signal?: AbortSignal }): AsyncGenerator<string> {
  const { client, bucket, names } = context;
  let continuationToken: string | undefined;
  do {
    const page = await withS3Errors(input.signal, () =>
      client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: names.blobsPrefix, ContinuationToken: continuationToken }), { abortSignal: input.signal }),
    );
    for (const object of page.Contents ?? []) {
      const key = object.Key === undefined ? undefined : names.blobKeyOf(object.Key);
      if (key !== undefined && object.LastModified !== undefined && object.LastModified.getTime() < input.writtenBefore) yield key;
    }
    continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
}

async function objectExists(context: S3Context, objectName: string): Promise<boolean> {
  try {
    await context.client.send(new HeadObjectCommand({ Bucket: context.bucket, Key: objectName }));
    return true;
  } catch (error) {
    if (isMissingObject(error)) return false;
    throw toDomainError(error);
  }
}
