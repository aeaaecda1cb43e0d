// What SessionService (sessionService.ts) is built from, and the shapes it answers with.
import type { FileService } from '../files/fileService.js';
import type { SessionPart, UploadSessionRecord } from '../model.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import type { MetadataStore } from '../ports/metadataStore.js';

export interface SessionLog {
  warn(object: object, message: string): void;
  debug?(object: object, message: string): void;
}

export interface SessionServiceDeps {
  metadata: MetadataStore;
  blobs: BlobStore;
  /** For update sessions: the READ_WRITE check and adding the revision (docs/decisions.md 17). */
  files: FileService;
  clock: Clock;
  /** docs/decisions.md 24: sessions idle longer than this expire. */
  ttlMs: number;
  /** docs/decisions.md 22: the largest part accepted. */
  maxPartBytes: number;
  /** docs/decisions.md 42: open sessions one user may hold; none: no cap. */
  maxOpenPerUser?: number;
  log?: SessionLog;
  /** Computes MD5 and SHA-256 (of parts, and of the whole file). */
  hasher: Hasher;
  /** How a commit that finds another one in progress waits for it (defaults suit production). */
  commitTiming?: Partial<CommitTiming>;
}

export interface CommitTiming {
  /** How long a second commit waits for the first one (elsewhere) to finish before answering 409. */
  waitMs: number;
  /** How often it looks. */
  pollMs: number;
  /** A COMMITTING session untouched this long lost its committer (a crash): a retry takes over. */
  staleMs: number;
}

export const DEFAULT_COMMIT_TIMING: CommitTiming = { waitMs: 60_000, pollMs: 100, staleMs: 2 * 60_000 };

export interface SessionView {
  session: UploadSessionRecord;
  /** The stored parts, by index; none once the session was aborted or expired (they are removed). */
  parts: SessionPart[];
}
