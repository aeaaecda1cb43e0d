// Listing and bulk deletion, paginated: the few S3 calls that walk many objects.
import { DeleteObjectsCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { withS3Errors, type S3Context } from './s3Client.js';

export interface ListedObject {
  name: string;
  sizeBytes: number;
  lastModified: Date;
}

export async function listObjects(context: S3Context, prefix: string, signal?: AbortSignal): Promise<ListedObject[]> {
  const objects: ListedObject[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await withS3Errors(signal, () =>
      context.client.send(new ListObjectsV2Command({ Bucket: context.bucket, Prefix: prefix, ContinuationToken: continuationToken }), {
        abortSignal: signal,
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      objects.push({ name: object.Key, sizeBytes: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) });
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
  return objects;
}

export interface ListedMultipartUpload {
  objectName: string;
  s3UploadId: string;
  initiated: Date;
}

export async function listMultipartUploads(context: S3Context, prefix: string): Promise<ListedMultipartUpload[]> {
  const uploads: ListedMultipartUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await withS3Errors(undefined, () =>
      context.client.send(new ListMultipartUploadsCommand({ Bucket: context.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })),
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key === undefined || upload.UploadId === undefined) continue;
      uploads.push({ objectName: upload.Key, s3UploadId: upload.UploadId, initiated: upload.Initiated ?? new Date(0) });
    }
    if (!page.IsTruncated) return uploads;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/** Deletes objects, 1,000 per request (S3's limit); missing ones are not an error. */
export async function deleteObjects(context: S3Context, names: readonly string[]): Promise<void> {
  for (let start = 0; start < names.length; start += 1_000) {
    const batch = names.slice(start, start + 1_000);
    const result = await withS3Errors(undefined, () =>
      context.client.send(new DeleteObjectsCommand({ Bucket: context.bucket, Delete: { Objects: batch.map((name) => ({ Key: name })), Quiet: true } })),
    );
    const failed = (result.Errors ?? []).filter((error) => error.Code !== 'NoSuchKey');
    if (failed.length > 0) {
      const [first] = failed;
      throw new Error(`S3 could not delete ${failed.length} object(s), e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim());
    }
  }
}
