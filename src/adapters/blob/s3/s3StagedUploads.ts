// Staged uploads on S3.
//
// Design. The port asks for parts that arrive independently, in any order and from any of many
// stateless servers, each of any size (sizes known only when the caller announces them), each
// replaceable atomically, each readable back (getPart), and then assembled cheaply. S3's own
// multipart upload fits only half of that: its parts cannot be read back before completion, and
// every part but the last must be at least 5 MiB, which is unknowable while parts still arrive.
// So:
//
//   createUpload  writes a marker object `uploads/<key>/open`, then creates an S3 multipart
//                 upload for the final object `blobs/<key>`. The upload id handed out is
//                 `<key>.<S3 upload id in base64url>` (s3Names.ts): it carries everything, so no
//                 server remembers anything between calls. The S3 multipart upload is the
//                 authority on whether the upload is open: completing or aborting it is the one
//                 atomic step that closes the upload for every server at once.
//   putPart       checks the upload is open (ListParts), then writes the part as an ordinary
//                 object `uploads/<key>/part-<n>`: one streamed PutObject when the caller
//                 announces the size, else the buffered multipart write of s3Writes.ts. Either way
//                 the object appears whole or not at all, so a replaced part is replaced
//                 atomically and a failed one leaves its previous version.
//   getPart       is a GetObject of that object.
//   completeUpload lists the staged objects (their sizes), plans the target parts
//                 (assemblyPlan.ts) and fills the multipart upload: a staged part of 5 MiB or
//                 more becomes a target part by UploadPartCopy, a copy S3 makes itself, no byte
//                 through this server; runs of small parts are concatenated through the server
//                 into 5 MiB target parts, streamed with their length known (ranged GetObjects
//                 piped into one UploadPart, nothing buffered). When every part but the last is at
//                 least 5 MiB, completion is copies plus CompleteMultipartUpload. Then the marker
//                 and the staged objects are deleted.
//   abortUpload   aborts the multipart upload, then deletes everything under `uploads/<key>/`.
//
// A failed completion leaves the upload open and intact (target parts are simply re-sent on the
// next attempt; S3 keeps only the parts named at completion). Staged objects that outlive their
// upload (a part finishing after its upload was completed or aborted, a crash between steps) are
// removed by sweepTemporary (s3Sweep.ts). The marker tells the sweep which multipart uploads
// belong to open staged uploads, whose lifetime is the caller's business, not the sweep's.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { addAbortSignal, type Readable } from 'node:stream';
import { DomainError } from '../../../core/errors.js';
import type { ByteSource, StoredBlob } from '../../../core/ports/blobStore.js';
import { planAssembly, type Segment, type TargetPart } from './assemblyPlan.js';
import { exactly, sendStreamingBody, translatedBody, translatedChunks } from './s3Bodies.js';
import { isMissingUpload, toDomainError, withS3Errors, type S3Context } from './s3Client.js';
import { assertValidPartIndex, decodeUploadId, encodeUploadId, newKey, type UploadHandle } from './s3Names.js';
import { deleteObjects, listObjects } from './s3Listing.js';
import { MAX_SINGLE_PUT_BYTES, putObjectOfKnownSize, putObjectStreaming } from './s3Writes.js';

/** Target parts being copied or streamed at once during completion. */
const ASSEMBLY_CONCURRENCY = 4;
/** Staged objects opened ahead of the one being streamed into a target part. */
const READ_AHEAD = 2;

const uploadNotFound = (cause?: unknown): DomainError => new DomainError('NOT_FOUND', 'No open upload with that id.', { cause });

export async function createUpload(context: S3Context, signal?: AbortSignal): Promise<{ uploadId: string }> {
  const { client, bucket, names } = context;
  const key = newKey();
  await withS3Errors(signal, () =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: names.openMarker(key), Body: Buffer.alloc(0), ContentLength: 0 }), { abortSignal: signal }),
  );
  try {
    const created = await withS3Errors(signal, () =>
      client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: names.blob(key) }), { abortSignal: signal }),
    );
    if (!created.UploadId) throw new Error('S3 CreateMultipartUpload returned no UploadId.');
    return { uploadId: encodeUploadId({ key, s3UploadId: created.UploadId }) };
  } catch (error) {
    await deleteObjects(context, [names.openMarker(key)]).catch(() => undefined);
    throw error;
  }
}

export async function putPart(
  context: S3Context,
  input: { uploadId: string; index: number; version?: string; body: ByteSource; sizeBytes?: number; signal?: AbortSignal },
): Promise<StoredBlob> {
  const { index, sizeBytes, signal } = input;
  assertValidPartIndex(index);
  const upload = decodeUploadId(input.uploadId);
  if (sizeBytes !== undefined && (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0)) {
    throw new DomainError('BAD_REQUEST', 'sizeBytes must be a whole number of bytes.');
  }
  // Refuse before reading the body: no point receiving megabytes for an upload that is gone.
  await assertUploadOpen(context, upload, signal);
  const objectName = context.names.part(upload.key, index, input.version);
  const storedBytes =
    sizeBytes !== undefined && sizeBytes <= MAX_SINGLE_PUT_BYTES
      ? await putObjectOfKnownSize(context, { objectName, body: input.body, sizeBytes, signal })
      : await putObjectStreaming(context, {
          objectName,
          body: sizeBytes === undefined ? input.body : exactly(toBuffers(input.body), sizeBytes),
          sizeHint: sizeBytes,
          signal,
        });
  // Parts are not blobs: this key only names the part for logs; get() does not accept it.
  return { key: `${input.uploadId}/${context.names.partEntry(index, input.version)}`, sizeBytes: storedBytes };
}

export async function getPart(context: S3Context, input: { uploadId: string; index: number; version?: string; signal?: AbortSignal }): Promise<Readable> {
  const { index, signal } = input;
  assertValidPartIndex(index);
  const upload = decodeUploadId(input.uploadId);
  const response = await withS3Errors(
    signal,
    () =>
      context.client.send(new GetObjectCommand({ Bucket: context.bucket, Key: context.names.part(upload.key, index, input.version) }), { abortSignal: signal }),
    'No such part in that upload.',
  );
  const body = translatedBody(response.Body as Readable);
  return signal ? addAbortSignal(signal, body) : body;
}

/** One version of a part, gone (DeleteObject of a missing object succeeds). */
export async function deletePart(context: S3Context, input: { uploadId: string; index: number; version: string }): Promise<void> {
  const upload = decodeUploadId(input.uploadId);
  await deleteObjects(context, [context.names.part(upload.key, input.index, input.version)]);
}

export async function completeUpload(
  context: S3Context,
  input: { uploadId: string; indexes: readonly number[]; versions?: readonly (string | undefined)[]; signal?: AbortSignal },
): Promise<StoredBlob> {
  const { client, bucket, names } = context;
  const { indexes, signal } = input;
  const upload = decodeUploadId(input.uploadId);
  assertCompletionIndexes(indexes);
  await assertUploadOpen(context, upload, signal);

  // docs/decisions.md 50: exactly the named version of each part; other versions (late or
  // superseded writes) are not assembled, and go with the staged objects afterwards.
  const entries = indexes.map((index, position) => names.partEntry(index, input.versions?.[position]));
  const stagedSizes = await stagedPartSizes(context, upload.key, signal);
  const missingIndexes = indexes.filter((_, position) => !stagedSizes.has(entries[position]));
  if (missingIndexes.length > 0) {
    // Checked before anything changes, so the upload stays open: send them and complete again.
    throw new DomainError('BAD_REQUEST', `Parts ${missingIndexes.join(', ')} were never uploaded.`, { details: { missingIndexes } });
  }
  const pieces = indexes.map((index, position) => ({
    objectName: names.part(upload.key, index, input.versions?.[position]),
    sizeBytes: stagedSizes.get(entries[position]) ?? 0,
  }));
  const sizeBytes = pieces.reduce((total, piece) => total + piece.sizeBytes, 0);
  const objectName = names.blob(upload.key);

  if (sizeBytes === 0) {
    // S3 cannot complete a multipart upload without a byte: write the empty blob, then abort the
    // multipart upload as the step that closes the upload.
    await withS3Errors(signal, () =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: objectName, Body: Buffer.alloc(0), ContentLength: 0 }), { abortSignal: signal }),
    );
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: objectName, UploadId: upload.s3UploadId }));
    } catch (error) {
      if (!isMissingUpload(error)) throw toDomainError(error);
      await deleteObjects(context, [objectName]); // closed by someone else meanwhile
      throw uploadNotFound(error);
    }
  } else {
    const plan = planAssembly(pieces);
    const parts = await mapWithConcurrency(plan, ASSEMBLY_CONCURRENCY, (target, position) =>
      sendTargetPart(context, { upload, objectName, partNumber: position + 1, target, signal }),
    );
    await withUploadErrors(signal, () =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: objectName, UploadId: upload.s3UploadId, MultipartUpload: { Parts: parts } }), {
        abortSignal: signal,
      }),
    );
  }
  // The blob is complete; what follows is tidying, and a failure there must not fail the call
  // (the sweep removes staged objects whose upload is closed).
  await removeStagedObjects(context, upload.key).catch(() => undefined);
  return { key: upload.key, sizeBytes };
}

export async function abortUpload(context: S3Context, input: { uploadId: string }): Promise<void> {
  const upload = decodeUploadId(input.uploadId);
  try {
    await context.client.send(new AbortMultipartUploadCommand({ Bucket: context.bucket, Key: context.names.blob(upload.key), UploadId: upload.s3UploadId }));
  } catch (error) {
    if (!isMissingUpload(error)) throw toDomainError(error);
  }
  await withS3Errors(undefined, () => removeStagedObjects(context, upload.key));
}

// ------------------------------------------------------------------------------- helpers

async function assertUploadOpen(context: S3Context, upload: UploadHandle, signal: AbortSignal | undefined): Promise<void> {
  await withUploadErrors(signal, () =>
    context.client.send(new ListPartsCommand({ Bucket: context.bucket, Key: context.names.blob(upload.key), UploadId: upload.s3UploadId, MaxParts: 1 }), {
      abortSignal: signal,
    }),
  );
}

/** Like withS3Errors, with S3's NoSuchUpload meaning "no open upload with that id". */
async function withUploadErrors<T>(signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
  try {
    return await withS3Errors(signal, operation);
  } catch (error) {
    if (isMissingUpload(error)) throw uploadNotFound(error);
    const code = (error as { name?: string }).name;
    if (code === 'InvalidPart' || code === 'InvalidPartOrder') {
      throw new DomainError('CONFLICT', 'The upload changed while it was being completed.', { cause: error });
    }
    throw error;
  }
}

/** The size of every staged part object, by its entry name (`part-<n>[.<version>]`). */
async function stagedPartSizes(context: S3Context, key: string, signal: AbortSignal | undefined): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const object of await listObjects(context, context.names.uploadDirectory(key), signal)) {
    const entry = context.names.uploadEntryOf(object.name);
    if (entry && context.names.partIndexOf(entry.entry) !== undefined) sizes.set(entry.entry, object.sizeBytes);
  }
  return sizes;
}

/** The marker first: from then on the sweep treats what is left as orphaned objects. */
async function removeStagedObjects(context: S3Context, key: string): Promise<void> {
  await deleteObjects(context, [context.names.openMarker(key)]);
  const objects = await listObjects(context, context.names.uploadDirectory(key));
  await deleteObjects(
    context,
    objects.map((object) => object.name),
  );
}

async function sendTargetPart(
  context: S3Context,
  input: { upload: UploadHandle; objectName: string; partNumber: number; target: TargetPart; signal?: AbortSignal },
): Promise<CompletedPart> {
  const { client, bucket } = context;
  const { upload, objectName, partNumber, target, signal } = input;
  if (target.kind === 'copy') {
    const { segment } = target;
    const copied = await withUploadErrors(signal, () =>
      client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: objectName,
          UploadId: upload.s3UploadId,
          PartNumber: partNumber,
          CopySource: `${bucket}/${segment.objectName}`.split('/').map(encodeURIComponent).join('/'),
          CopySourceRange: target.wholeObject ? undefined : `bytes=${segment.start}-${segment.end}`,
        }),
        { abortSignal: signal },
      ),
    );
    return { PartNumber: partNumber, ETag: copied.CopyPartResult?.ETag };
  }
  try {
    const uploaded = await sendStreamingBody(readSegments(context, target.segments, signal), signal, (body, abortSignal) =>
      client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: objectName,
          UploadId: upload.s3UploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: target.sizeBytes,
        }),
        { abortSignal, requestTimeout: 0 },
      ),
    );
    return { PartNumber: partNumber, ETag: uploaded.ETag };
  } catch (error) {
    if (isDomainNotFound(error) || isMissingUpload((error as { cause?: unknown }).cause ?? error)) throw uploadNotFound(error);
    throw error;
  }
}

function isDomainNotFound(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'NOT_FOUND';
}

/** The bytes of `segments` back to back, opening up to READ_AHEAD ranged GETs ahead. */
async function* readSegments(context: S3Context, segments: readonly Segment[], signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const opening: Array<Promise<Readable>> = [];
  let next = 0;
  const openAhead = (): void => {
    while (opening.length <= READ_AHEAD && next < segments.length) {
      const segment = segments[next++];
      const opened = withS3Errors(signal, async () => {
        const response = await context.client.send(
          new GetObjectCommand({ Bucket: context.bucket, Key: segment.objectName, Range: `bytes=${segment.start}-${segment.end}` }),
          { abortSignal: signal },
        );
        return response.Body as Readable;
      });
      opened.catch(() => undefined); // awaited below, in order
      opening.push(opened);
    }
  };
  try {
    openAhead();
    while (opening.length > 0) {
      const stream = await opening.shift()!;
      openAhead();
      yield* translatedChunks(stream as AsyncIterable<Buffer>);
    }
  } finally {
    for (const opened of opening)
      opened.then(
        (stream) => stream.destroy(),
        () => undefined,
      );
  }
}

/** Runs `work` on every item, at most `limit` at once; results in item order. Stops at the first failure. */
async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T, position: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const position = next++;
      try {
        results[position] = await work(items[position], position);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/** Indexes must be valid, strictly ascending (each part once), and at least one. */
function assertCompletionIndexes(indexes: readonly number[]): void {
  if (!Array.isArray(indexes) || indexes.length === 0) throw new DomainError('BAD_REQUEST', 'At least one part index is needed.');
  indexes.forEach((index, position) => {
    assertValidPartIndex(index);
    if (position > 0 && index <= indexes[position - 1]) throw new DomainError('BAD_REQUEST', 'Part indexes must be strictly ascending.');
  });
}

async function* toBuffers(body: ByteSource): AsyncGenerator<Buffer> {
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}
