// Virus scanning in `datafiles serve` (docs/decisions.md 85): the clamd scanner, the scan service
// over the shared queue, and this server's background worker. Nothing of it exists without --clamd.
import type { ScanConfig } from '../scanConfig.js';
import { createClamdScanner, describeAddress } from '../adapters/scanning/clamd.js';
import { systemClock, type Clock } from '../core/ports/clock.js';
import type { VirusScanner } from '../core/ports/virusScanner.js';
import { ScanService, type JobResult } from '../core/scanning/scanService.js';
import type { Stores } from './openStores.js';
import { scanOwnerName, startScanWorker, type ScanWorker } from './scanWorker.js';

export interface Scanning {
  readonly config: ScanConfig;
  readonly service: ScanService;
  /** Starts the background worker (once the server is up). */
  start(onResult?: (result: JobResult) => void): void;
  /** Tells the worker a revision was added. */
  wake(): void;
  stop(): Promise<void>;
}

export function createScanning(
  config: ScanConfig,
  stores: Stores,
  log: { warn(object: object, message: string): void; info(object: object, message: string): void },
  options: { clock?: Clock; scanner?: VirusScanner } = {},
): Scanning {
  const clock = options.clock ?? systemClock;
  const scanner = options.scanner ?? createClamdScanner({ address: config.clamd, timeoutMs: config.timeoutMs });
  const service = new ScanService(
    { queue: stores.metadata.scans, blobs: stores.blobs, scanner, clock, log },
    {
      owner: scanOwnerName(),
      leaseMs: config.leaseMs,
      retryMs: config.retryMs,
      maxAttempts: config.maxAttempts,
      maxBytes: config.maxBytes,
    },
  );
  let worker: ScanWorker | undefined;
  return {
    config,
    service,
    start(onResult) {
      log.info({ clamd: describeAddress(config.clamd), policy: config.policy, concurrency: config.concurrency }, 'virus scanning on');
      worker ??= startScanWorker({ service, queue: stores.metadata.scans, clock, concurrency: config.concurrency, log, onResult });
    },
    wake: () => worker?.wake(),
    async stop() {
      await worker?.stop();
    },
  };
}
