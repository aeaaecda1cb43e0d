// The orphaned-blob sweep (docs/decisions.md 95). A blob is written before the revision row that
// names it is committed (the write path: bytes first, then metadata), so a crash, or a commit that
// fails, between the two leaves bytes no row names. The sweep lists the blobs written more than a
// grace period ago and removes each one that no revision row names: "referenced" means any row at
// all, so a blob shared by several revisions (a copy) stays while one of them is left. The grace
// period is what keeps a write in progress safe: its blob is young until its row is committed.
import type { Clock } from '../ports/clock.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { MetadataStore } from '../ports/metadataStore.js';

export interface OrphanSweepDeps {
  blobs: BlobStore;
  metadata: MetadataStore;
  clock: Clock;
  log?: { warn(object: object, message: string): void };
}

/** Removes the blobs written more than `graceMs` ago that no revision row names; returns how many. */
export async function sweepOrphanedBlobs(deps: OrphanSweepDeps, input: { graceMs: number; signal?: AbortSignal }): Promise<number> {
  if (!Number.isFinite(input.graceMs) || input.graceMs < 0) throw new RangeError('graceMs must be a non-negative number.');
  const writtenBefore = deps.clock.now() - input.graceMs;
  let removed = 0;
  for await (const key of deps.blobs.listBlobs({ writtenBefore, signal: input.signal })) {
    try {
      if (await deps.metadata.files.isBlobReferenced(key)) continue;
      await deps.blobs.delete(key);
      removed += 1;
    } catch (error) {
      // One blob that fails (a store briefly down) is left for the next sweep.
      deps.log?.warn({ err: error, blobKey: key }, 'could not sweep an orphaned blob');
    }
  }
  return removed;
}
