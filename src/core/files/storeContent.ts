// Streams incoming bytes into the blob store while measuring them (size, MD5, SHA-256, leading
// bytes), then names their content type. Shared by single uploads and revisions.
import { pipeline } from 'node:stream';
import { Readable } from 'node:stream';
import { ContentMeter } from '../content/contentMeter.js';
import { detectContentType } from '../content/detectContentType.js';
import type { NewRevision } from '../model.js';
import type { BlobStore, ByteSource } from '../ports/blobStore.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';

export interface IncomingContent {
  body: ByteSource;
  /** The form part's filename, if the client sent one. */
  filename?: string;
  /** The form part's declared Content-Type, if any. */
  declaredType?: string;
}

export async function storeContent(input: {
  blobs: BlobStore;
  clock: Clock;
  hasher: Hasher;
  content: IncomingContent;
  filenames: readonly (string | undefined)[];
  signal?: AbortSignal;
}): Promise<{ revision: Omit<NewRevision, 'uploadUserId'> }> {
  const started = input.clock.now();
  const meter = new ContentMeter(input.hasher);
  const source = input.content.body instanceof Readable ? input.content.body : Readable.from(input.content.body);
  // pipeline() destroys the meter with the source's error (a truncated body, a client that went
  // away), so the blob store's put sees the failure and removes its temporary file.
  const metered = pipeline(source, meter, () => {});
  const stored = await input.blobs.put({ body: metered, signal: input.signal });
  const measured = meter.measured();
  const contentType = await detectContentType({ head: measured.head, filenames: input.filenames, declaredType: input.content.declaredType });
  const finished = input.clock.now();
  return {
    revision: {
      blobKey: stored.key,
      sizeBytes: measured.sizeBytes,
      md5: measured.md5,
      sha256: measured.sha256,
      contentType,
      // docs/decisions.md 11: "how long the server took to receive and store that revision".
      uploadTimeMillis: finished - started,
      uploadedAt: finished,
      scanState: 'NOT_SCANNED',
    },
  };
}
