// What `datafiles verify` asks of the metadata store (docs/decisions.md 105): every revision row
// by blob key (so that the rows sharing one blob, copies and duplicates, come together and the
// blob is read once), which listed blobs and uploads some row names, the sessions stuck in
// COMMITTING, and the corrupt mark of docs/decisions.md 106.

export interface VerifiedRevision {
  id: number;
  fileId: number;
  blobKey: string;
  sizeBytes: number;
  md5: string;
  sha256: string;
  corruptAt: number | null;
}

export interface StuckSession {
  id: string;
  blobUploadId: string;
  updatedAt: number;
}

export interface VerificationStore {
  /** How many distinct blobs the rows name, and their bytes (for a progress bar). */
  totals(): Promise<{ blobs: number; bytes: number }>;
  /** Revision rows ordered by (blobKey, id), after `after` (exclusive), at most `limit`. */
  revisionsByBlob(input: { after?: { blobKey: string; id: number }; limit: number }): Promise<VerifiedRevision[]>;
  /** Of `blobKeys`, those some revision row names. */
  referencedBlobKeys(blobKeys: readonly string[]): Promise<Set<string>>;
  /** Of `uploadIds`, those some upload session (in any state) names. */
  knownUploadIds(uploadIds: readonly string[]): Promise<Set<string>>;
  /** Sessions in COMMITTING whose last change is before `updatedBefore`, oldest first, at most `limit`. */
  committingSessions(input: { updatedBefore: number; limit: number }): Promise<StuckSession[]>;
  /** Marks revisions corrupt (idempotent: a mark already set keeps its time). */
  markCorrupt(input: { revisionIds: readonly number[]; at: number }): Promise<void>;
}
