// Scans one claimed job and records what came of it (docs/decisions.md 85, 86): SAFE, INFECTED
// with the signature, FAILED with the reason (too large at once; other failures after
// maxAttempts, retried with exponential backoff before that). A scanner that cannot be reached
// is not the file's fault: the job goes back without counting an attempt.
import type { BlobStore } from '../ports/blobStore.js';
import type { Clock } from '../ports/clock.js';
import type { ScanJob, ScanQueueStore, ScanVerdict } from '../ports/scanQueue.js';
import type { ScanOutcome, VirusScanner } from '../ports/virusScanner.js';

export interface ScanServiceOptions {
  /** Who this server is in the queue's leases. */
  owner: string;
  leaseMs: number;
  retryMs: number;
  maxAttempts: number;
  maxBytes: number;
}

/** What happened to a job, for the worker's pacing and the metrics. */
export type JobResult = { result: 'SAFE' | 'INFECTED' | 'FAILED' | 'RETRY' | 'UNAVAILABLE' | 'LOST_LEASE'; seconds: number };

const MAX_BACKOFF_MS = 60 * 60 * 1000;
const VERSION_TTL_MS = 60_000;

export class ScanService {
  private engine: { version: string; at: number } | undefined;
  /** Why the last VERSION failed. */
  private engineError = '';

  constructor(
    private readonly deps: {
      queue: ScanQueueStore;
      blobs: BlobStore;
      scanner: VirusScanner;
      clock: Clock;
      log?: { warn(object: object, message: string): void; info(object: object, message: string): void };
    },
    readonly options: ScanServiceOptions,
  ) {}

  /** clamd's engine/database version, asked again at most once a minute; undefined if unreachable. */
  async engineVersion(): Promise<string | undefined> {
    const now = this.deps.clock.now();
    if (this.engine && now - this.engine.at < VERSION_TTL_MS) return this.engine.version;
    try {
      const version = await this.deps.scanner.version();
      this.engine = { version, at: now };
      return version;
    } catch (error) {
      this.engineError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }

  /**
   * docs/decisions.md 88: when clamd's VERSION differs from the one a SAFE revision was scanned
   * with, that revision is queued again; `limit` at a time, newest first. Returns how many.
   */
  async rescanOutdated(limit: number): Promise<number> {
    const engine = await this.engineVersion();
    if (engine === undefined) return 0;
    return this.deps.queue.rescanOutdated({ engine, dueAt: this.deps.clock.now(), limit });
  }

  claim(limit: number): Promise<ScanJob[]> {
    return this.deps.queue.claim({ owner: this.options.owner, now: this.deps.clock.now(), leaseMs: this.options.leaseMs, limit });
  }

  /** `stop` (the server is shutting down) gives the job back unscanned, without counting an attempt. */
  async scanJob(job: ScanJob, stop?: AbortSignal): Promise<JobResult> {
    const started = this.deps.clock.now();
    const done = (result: JobResult['result']): JobResult => ({ result, seconds: (this.deps.clock.now() - started) / 1000 });
    if (job.sizeBytes > this.options.maxBytes) {
      const reason = `too large: ${job.sizeBytes} bytes is above the scanner's limit of ${this.options.maxBytes} (--scan-max-bytes, clamd's StreamMaxLength)`;
      return done(await this.finish(job, { scanState: 'FAILED', reason }, undefined));
    }
    const engine = await this.engineVersion();
    if (engine === undefined)
      return done(await this.giveBack(job, { kind: 'failed', reason: `clamd is unreachable (VERSION: ${this.engineError})`, retry: true, unavailable: true }));
    // The scan must end while the lease is ours (plus a margin to record it).
    const deadline = AbortSignal.timeout(Math.max(1, Math.floor((this.options.leaseMs * 2) / 3)));
    const signal = stop ? AbortSignal.any([deadline, stop]) : deadline;
    let outcome: ScanOutcome;
    try {
      const body = await this.deps.blobs.get({ key: job.blobKey, signal });
      outcome = await this.deps.scanner.scan({ body, signal });
    } catch (error) {
      outcome = { kind: 'failed', reason: `could not read the revision's bytes: ${error instanceof Error ? error.message : String(error)}`, retry: true };
    }
    if (stop?.aborted === true)
      return done(await this.giveBack(job, { kind: 'failed', reason: 'the server stopped during the scan', retry: true, unavailable: true }));
    if (outcome.kind === 'clean') return done(await this.finish(job, { scanState: 'SAFE' }, engine));
    if (outcome.kind === 'infected') return done(await this.finish(job, { scanState: 'INFECTED', signature: outcome.signature }, engine));
    if (!outcome.retry) return done(await this.finish(job, { scanState: 'FAILED', reason: outcome.reason }, engine));
    return done(await this.giveBack(job, outcome));
  }

  private async finish(job: ScanJob, verdict: ScanVerdict, engine: string | undefined): Promise<JobResult['result']> {
    const recorded = await this.deps.queue.record({ revisionId: job.revisionId, owner: this.options.owner, verdict, at: this.deps.clock.now(), engine });
    if (!recorded) return 'LOST_LEASE';
    if (verdict.scanState === 'INFECTED')
      this.deps.log?.warn({ fileId: job.fileId, revisionId: job.revisionId, signature: verdict.signature }, 'infected revision');
    return verdict.scanState;
  }

  private async giveBack(job: ScanJob, outcome: Extract<ScanOutcome, { kind: 'failed' }>): Promise<JobResult['result']> {
    const now = this.deps.clock.now();
    if (outcome.unavailable === true) {
      if (outcome.reason.includes('unreachable')) this.engine = undefined;
      const kept = await this.deps.queue.retry({
        revisionId: job.revisionId,
        owner: this.options.owner,
        dueAt: now + this.options.retryMs,
        reason: outcome.reason,
        countAttempt: false,
      });
      return kept ? 'UNAVAILABLE' : 'LOST_LEASE';
    }
    const attempts = job.attempts + 1;
    if (attempts >= this.options.maxAttempts) {
      const reason = `${outcome.reason} (failed ${attempts} times)`;
      return this.finish(job, { scanState: 'FAILED', reason }, this.engine?.version);
    }
    const backoff = Math.min(MAX_BACKOFF_MS, this.options.retryMs * 2 ** (attempts - 1));
    this.deps.log?.warn({ fileId: job.fileId, revisionId: job.revisionId, attempts, reason: outcome.reason }, 'scan failed; will retry');
    const kept = await this.deps.queue.retry({
      revisionId: job.revisionId,
      owner: this.options.owner,
      dueAt: now + backoff,
      reason: outcome.reason,
      countAttempt: true,
    });
    return kept ? 'RETRY' : 'LOST_LEASE';
  }
}
