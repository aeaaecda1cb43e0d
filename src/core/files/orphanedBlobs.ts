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

/**
 * Keys asked about in one question (docs/decisions.md 183): a sweep of a store of 3,000,000 blobs
 * asks 6,000 questions rather than 3,000,000.
 */
export const ORPHAN_CHECK_BATCH = 500;

/** Removes the blobs written more than `graceMs` ago that no revision row names; returns how many. */
export async function sweepOrphanedBlobs(deps: OrphanSweepDeps, input: { graceMs: number; signal?: AbortSignal; batchSize?: number }): Promise<number> {
  if (!Number.isFinite(input.graceMs) || input.graceMs < 0) throw new RangeError('graceMs must be a non-negative number.');
  const batchSize = input.batchSize ?? ORPHAN_CHECK_BATCH;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer.');
  const writtenBefore = deps.clock.now() - input.graceMs;
  let removed = 0;
  for await (const keys of batchesOf(deps.blobs.listBlobs({ writtenBefore, signal: input.signal }), batchSize)) {
    let referenced: Set<string>;
    try {
      referenced = await deps.metadata.files.referencedBlobKeys(keys);
    } catch (error) {
      // The database is unavailable: the pass ends here, once, rather than listing the whole
      // store to fail every batch; the rest is left for the next sweep.
      deps.log?.warn({ err: error, blobKeys: keys.length }, 'could not check a batch of blobs for references; the sweep stops until its next pass');
      break;
    }
    for (const key of keys) {
      input.signal?.throwIfAborted();
      if (referenced.has(key)) continue;
      try {
        await deps.blobs.delete(key);
        removed += 1;
      } catch (error) {
        // One blob that fails (a store briefly down) is left for the next sweep.
        deps.log?.warn({ err: error, blobKey: key }, 'could not sweep an orphaned blob');
      }
    }
  }
  return removed;
}

/** The items of `items` in arrays of `size` (the last one shorter). */
async function* batchesOf<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length < size) continue;
    yield batch;
    batch = [];
  }
  if (batch.length > 0) yield batch;
}
