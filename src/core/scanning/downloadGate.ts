// Which revisions may be downloaded, by scan state and policy (docs/decisions.md 26, 87).
// INFECTED is never served. block-infected (the default) serves everything else; safe-only serves
// only SAFE: a revision still waiting for its scan (PENDING, or NOT_SCANNED from before scanning
// was turned on) answers 409 with Retry-After, a FAILED one 409 saying why.
import { DomainError } from '../errors.js';
import type { RevisionRecord } from '../model.js';

/** block-infected: only INFECTED is refused; safe-only: only SAFE is served. */
export type ScanPolicy = 'block-infected' | 'safe-only';

/** What a client told to wait for a scan is asked to wait, in seconds. */
export const SCAN_RETRY_AFTER_SECONDS = 5;

export function assertDownloadable(revision: RevisionRecord, policy: ScanPolicy | undefined): void {
  if (revision.scanState === 'INFECTED') throw new DomainError('INFECTED');
  if (policy !== 'safe-only' || revision.scanState === 'SAFE') return;
  if (revision.scanState === 'FAILED') throw new DomainError('SCAN_FAILED');
  throw new DomainError('SCAN_PENDING', undefined, { details: { retryAfterSeconds: SCAN_RETRY_AFTER_SECONDS } });
}
