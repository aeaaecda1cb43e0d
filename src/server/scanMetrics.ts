// Virus-scanning metrics on GET /metrics (docs/decisions.md 85): scans by result (scans per second
// is rate() of it), scan latency, and, read from the shared queue when scraped, the queue depth
// and revisions by scan state.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../core/ports/clock.js';
import type { ScanQueueStore } from '../core/ports/scanQueue.js';
import type { JobResult } from '../core/scanning/scanService.js';

export function scanMetrics(registry: Registry, queue: ScanQueueStore, clock: Clock): (result: JobResult) => void {
  const scans = new Counter({
    name: 'datafiles_scans_total',
    help: 'Virus scans this server finished, by result (SAFE, INFECTED, FAILED; RETRY and UNAVAILABLE: given back to the queue)',
    labelNames: ['result'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'datafiles_scan_duration_seconds',
    help: 'Time to scan one revision (reading it from the blob store and clamd answering)',
    labelNames: ['result'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  // One query per scrape serves both gauges.
  let stats: ReturnType<ScanQueueStore['stats']> | undefined;
  const read = () => (stats ??= queue.stats(clock.now()).finally(() => setImmediate(() => (stats = undefined))));
  new Gauge({
    name: 'datafiles_scan_queue_depth',
    help: 'Revisions waiting for a scan that are due and not being scanned (every server)',
    registers: [registry],
    async collect() {
      this.set((await read()).due);
    },
  });
  new Gauge({
    name: 'datafiles_scan_revisions',
    help: 'Revisions by scan state (every server)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      for (const [state, count] of Object.entries((await read()).byState)) this.set({ state }, count);
    },
  });
  return (result) => {
    scans.inc({ result: result.result });
    if (result.result !== 'LOST_LEASE') latency.observe({ result: result.result }, result.seconds);
  };
}
