// The stray staged upload sweep (docs/decisions.md 141). Opening an upload session creates the
// staged upload in the blob store first, then the session row that names it; a crash between
// the two, or a store that completes the create after the server gave up waiting for it (a
// frozen object store that resumes), leaves a staged upload no session names, which no other
// sweep removes: the session sweep knows only uploads with a row, and the blob store's temporary
// sweep leaves open staged uploads alone (their lifetime is their session's). This lists the open
// staged uploads (BlobInventory) and aborts each one older than the grace period that no session
// row names, in any state, checking again just before. The grace period keeps an open in progress
// safe: its upload is young until its row is written.
import type { BlobInventory, ListedUpload } from '../ports/blobInventory.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { Clock } from '../ports/clock.js';
import type { VerificationStore } from '../ports/verificationStore.js';

export interface StrayUploadSweepDeps {
  inventory: BlobInventory;
  blobs: BlobStore;
  sessions: Pick<VerificationStore, 'knownUploadIds'>;
  clock: Clock;
  log?: { warn(object: object, message: string): void };
}

const BATCH = 500;

/** Aborts the staged uploads older than `graceMs` that no session names; returns how many. */
export async function sweepStrayUploads(deps: StrayUploadSweepDeps, input: { graceMs: number; signal?: AbortSignal }): Promise<number> {
  if (!Number.isFinite(input.graceMs) || input.graceMs < 0) throw new RangeError('graceMs must be a non-negative number.');
  const cutoff = deps.clock.now() - input.graceMs;
  let removed = 0;
  let batch: ListedUpload[] = [];
  const settle = async () => {
    const known = await deps.sessions.knownUploadIds(batch.map((upload) => upload.uploadId));
    for (const upload of batch) {
      if (known.has(upload.uploadId) || upload.modifiedAt >= cutoff) continue;
      try {
        if ((await deps.sessions.knownUploadIds([upload.uploadId])).size > 0) continue;
        await deps.blobs.abortUpload({ uploadId: upload.uploadId });
        removed += 1;
      } catch (error) {
        // One that fails (a store briefly down) is left for the next sweep.
        deps.log?.warn({ err: error, uploadId: upload.uploadId }, 'could not abort a staged upload no session names');
      }
    }
    batch = [];
  };
  for await (const upload of deps.inventory.uploads(input.signal)) {
    batch.push(upload);
    if (batch.length >= BATCH) await settle();
  }
  await settle();
  return removed;
}
