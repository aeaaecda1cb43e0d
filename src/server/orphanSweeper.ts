// Runs the orphaned-blob sweep (src/core/files/orphanedBlobs.ts, docs/decisions.md 95), then the
// stray staged upload sweep (src/core/sessions/strayUploads.ts, docs/decisions.md 141), once at
// start-up and then every hour, both with --orphan-grace-ms. The start-up sweep is not awaited: listing a large store can take
// a while, and serving need not wait for it. stop() cuts a sweep in progress short (its signal)
// and waits for it, so the stores are not closed under it.
import { sweepOrphanedBlobs, type OrphanSweepDeps } from '../core/files/orphanedBlobs.js';
import type { BlobInventory } from '../core/ports/blobInventory.js';
import { sweepStrayUploads } from '../core/sessions/strayUploads.js';

const ORPHAN_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface OrphanSweeper {
  stop(): Promise<void>;
}

export function startOrphanSweeper(
  input: OrphanSweepDeps & {
    inventory: BlobInventory;
    graceMs: number;
    log: { info(object: object, message: string): void; warn(object: object, message: string): void };
  },
): OrphanSweeper {
  const stopping = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const sweep = (): void => {
    running = running.then(async () => {
      if (stopping.signal.aborted) return;
      try {
        const removed = await sweepOrphanedBlobs(input, { graceMs: input.graceMs, signal: stopping.signal });
        if (removed > 0) input.log.info({ removed }, 'removed stored blobs that no revision names');
        const aborted = await sweepStrayUploads(
          { inventory: input.inventory, blobs: input.blobs, sessions: input.metadata.verification, clock: input.clock, log: input.log },
          { graceMs: input.graceMs, signal: stopping.signal },
        );
        if (aborted > 0) input.log.info({ aborted }, 'aborted staged uploads that no upload session names');
      } catch (error) {
        if (!stopping.signal.aborted) input.log.warn({ err: error }, 'orphaned blob sweep failed');
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, ORPHAN_SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort(new Error('the server is stopping'));
      await running;
    },
  };
}
