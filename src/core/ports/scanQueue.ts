// The scan queue (docs/decisions.md 85): revisions waiting for a virus scan, kept in the metadata
// store so that jobs survive restarts and many servers share them. A job is a PENDING revision;
// a server claims due jobs with a lease, then records a verdict or gives the job back for a retry.
// Both only take effect while the claimer still holds the lease (another server may have taken
// over an expired one).
import type { ScanState } from '../model.js';

export interface ScanJob {
  revisionId: number;
  fileId: number;
  blobKey: string;
  sizeBytes: number;
  /** Failed scans so far. */
  attempts: number;
}

export type ScanVerdict = { scanState: 'SAFE' } | { scanState: 'INFECTED'; signature: string } | { scanState: 'FAILED'; reason: string };

/** What an admin sees of a revision's scan. */
export interface ScanRecord {
  revisionId: number;
  fileId: number;
  scanState: ScanState;
  /** INFECTED: the signature clamd named. */
  signature?: string;
  /** FAILED: why; PENDING: why the last attempt failed, if one did. */
  reason?: string;
  /** When the verdict was recorded (epoch ms). */
  scannedAt?: number;
  /** The scanner's engine and signature version at that time. */
  engine?: string;
  attempts: number;
}

export interface ScanStats {
  byState: Record<ScanState, number>;
  /** PENDING revisions due now and not leased: the queue depth. */
  due: number;
  /** PENDING revisions a server is scanning now. */
  leased: number;
}

export interface ScanQueueStore {
  /** Makes up to `limit` NOT_SCANNED revisions PENDING, oldest first, due at `dueAt`; returns how many. */
  enqueueUnscanned(input: { limit: number; dueAt: number }): Promise<number>;
  /**
   * Leases up to `limit` due PENDING revisions (due by `now`, not leased or lease expired) to
   * `owner` until `now + leaseMs`, the earliest due first. Two servers never get the same job.
   */
  claim(input: { owner: string; now: number; leaseMs: number; limit: number }): Promise<ScanJob[]>;
  /** Records the verdict if `owner` still holds the lease; false if it does not (nothing changes). */
  record(input: { revisionId: number; owner: string; verdict: ScanVerdict; at: number; engine?: string }): Promise<boolean>;
  /**
   * Gives a job back, due again at `dueAt`, keeping `reason` as the last failure. `countAttempt`
   * adds one to its attempts (false when the scanner was unreachable: not the file's fault).
   */
  retry(input: { revisionId: number; owner: string; dueAt: number; reason: string; countAttempt: boolean }): Promise<boolean>;
  /**
   * Makes revisions PENDING again (new signatures, or an admin asked), newest first, at most
   * `limit`: one file's, or every scanned one. Revisions already PENDING are left as they are.
   */
  rescan(input: { fileId?: number; dueAt: number; limit: number }): Promise<number>;
  /**
   * New signatures (docs/decisions.md 88): makes up to `limit` SAFE revisions scanned by another
   * engine/database version than `engine` PENDING again, newest first; returns how many.
   */
  rescanOutdated(input: { engine: string; dueAt: number; limit: number }): Promise<number>;
  getScan(revisionId: number): Promise<ScanRecord | undefined>;
  stats(now: number): Promise<ScanStats>;
}
