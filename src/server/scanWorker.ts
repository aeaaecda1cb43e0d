// The background scanner of one server (docs/decisions.md 85): keeps up to `concurrency` scans
// running, claiming due jobs from the shared queue; when the queue runs short it enqueues a few
// revisions that predate scanning (oldest first). It polls the queue (other servers' uploads
// land there too) and is woken at once by this server's own uploads.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../core/ports/clock.js';
import type { ScanQueueStore } from '../core/ports/scanQueue.js';
import type { JobResult, ScanService } from '../core/scanning/scanService.js';

const MAX_POLL_MS = 1000;

export interface ScanWorker {
  /** Look at the queue now (a revision was just added). */
  wake(): void;
  /** Stops claiming; scans in flight are given back unscanned. */
  stop(): Promise<void>;
}

/** A lease owner name that tells an admin which server holds a job. */
export function scanOwnerName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export function startScanWorker(input: {
  service: ScanService;
  queue: ScanQueueStore;
  clock: Clock;
  concurrency: number;
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
  onResult?: (result: JobResult) => void;
}): ScanWorker {
  const { service, queue, clock, concurrency, log } = input;
  // Logged once when clamd goes away and once when it is back, not for every job given back.
  let unavailable = false;
  // While clamd is unreachable, claim nothing for retryMs at a time: jobs would only go back.
  let pausedUntil = 0;
  const onResult = (result: JobResult) => {
    if (result.result === 'UNAVAILABLE') pausedUntil = clock.now() + service.options.retryMs;
    if (result.result === 'UNAVAILABLE' && !unavailable) log.warn({}, 'clamd is unreachable: scans wait until it is back');
    else if (result.result !== 'UNAVAILABLE' && result.result !== 'LOST_LEASE' && unavailable) log.info({}, 'clamd is reachable again');
    if (result.result !== 'LOST_LEASE') unavailable = result.result === 'UNAVAILABLE';
    input.onResult?.(result);
  };
  const pollMs = Math.min(MAX_POLL_MS, service.options.retryMs);
  const stopping = new AbortController();
  const inflight = new Set<Promise<void>>();
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const run = async () => {
    while (!stopping.signal.aborted) {
      woken = false;
      const paused = pausedUntil - clock.now();
      if (paused > 0) {
        await pause(paused);
        continue;
      }
      const free = concurrency - inflight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const jobs = await service.claim(free);
          claimed = jobs.length;
          for (const job of jobs) {
            const scan: Promise<void> = service
              .scanJob(job, stopping.signal)
              .then(onResult)
              .catch((error: unknown) => log.warn({ err: error, revisionId: job.revisionId }, 'scan job failed'))
              .finally(() => {
                inflight.delete(scan);
                wake();
              });
            inflight.add(scan);
          }
          // Spare capacity: first revisions from before scanning, then those scanned with older
          // signatures (docs/decisions.md 88), a slot's worth each time: a bounded rate.
          if (claimed < free && (await queue.enqueueUnscanned({ limit: free - claimed, dueAt: clock.now() })) > 0) continue;
          if (claimed < free && (await service.rescanOutdated(free - claimed)) > 0) continue;
        } catch (error) {
          log.warn({ err: error }, 'could not claim scan jobs');
        }
      }
      // A full claim may leave more due jobs: go again as soon as a slot is free.
      if (claimed === free && free > 0) continue;
      await pause(pollMs);
    }
  };
  const running = run();
  return {
    wake,
    async stop() {
      stopping.abort();
      wake();
      await running;
      await Promise.all(inflight);
    },
  };
}
