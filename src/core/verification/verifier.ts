// `datafiles verify` (issue 16; docs/decisions.md 105-107): proves that the stored bytes are the
// bytes the metadata describes. Every blob that some revision row names is read once through the
// BlobStore port (rows sharing a blob, copies and duplicates, come together: the rows are read by
// blob key) and its size, MD5 and SHA-256 recomputed with the Hasher port and compared with each
// row. Then the stores are listed (BlobInventory) for bytes no row names (orphans) and staged
// uploads no session names, and the sessions stuck in COMMITTING are looked up.
//
// It runs beside a live server: it takes no lock, only reads, and leaves alone whatever changed
// within the grace period (an upload in flight has written its bytes before its row). With
// `repair`, orphans are deleted (each re-checked just before, and none while a commit is in
// progress) and corrupt or missing revisions are marked so that they are never served silently.
import type { BlobInventory } from '../ports/blobInventory.js';
import { checkStoredRevisions, finding, type Finding, type RevisionCheckDeps, type RevisionCheckReport } from './revisionCheck.js';

export type { Finding };

export interface VerifyDeps extends RevisionCheckDeps {
  inventory: BlobInventory;
}

export interface VerifyOptions {
  repair: boolean;
  /** Bytes read per second at most (undefined: no cap). */
  maxBytesPerSecond?: number;
  /** Blobs, uploads and sessions changed within this many milliseconds are left alone. */
  graceMs: number;
  /** Entries listed per finding (their counts are always exact). */
  listLimit: number;
  /** Revision rows read per query. */
  pageSize?: number;
  onProgress?(progress: { blobsChecked: number; bytesRead: number }): void;
  signal?: AbortSignal;
}

export interface VerifyReport extends RevisionCheckReport {
  ok: boolean;
  repaired: boolean;
  durationMs: number;
  orphans: Finding<{ blobKey: string; sizeBytes: number; modifiedAt: string; removed: boolean }>;
  strayUploads: Finding<{ uploadId: string; modifiedAt: string; removed: boolean }>;
  stuckCommitting: Finding<{ sessionId: string; updatedAt: string }>;
}

const BATCH = 500;

export async function verifyStores(deps: VerifyDeps, options: VerifyOptions): Promise<VerifyReport> {
  const started = deps.clock.now();
  const report: VerifyReport = {
    ok: true,
    repaired: options.repair,
    revisionsChecked: 0,
    blobsChecked: 0,
    bytesRead: 0,
    durationMs: 0,
    missing: finding(),
    corrupt: finding(),
    unreadable: finding(),
    orphans: finding(),
    strayUploads: finding(),
    stuckCommitting: finding(),
  };
  const add = <T>(into: Finding<T>, item: T) => {
    into.count += 1;
    if (into.items.length < options.listLimit) into.items.push(item);
  };

  // 1. Every referenced blob, once, against each row that names it.
  await checkStoredRevisions(deps, options, report);

  // 2. Bytes no row names. Listed before their references are looked up, and only what is older
  // than the grace period counts: an upload in flight writes its bytes before its row.
  const cutoff = deps.clock.now() - options.graceMs;
  const commitInProgress = async () => (await deps.metadata.committingSessions({ updatedBefore: Number.MAX_SAFE_INTEGER, limit: 1 })).length > 0;
  let candidates: Array<{ key: string; sizeBytes: number; modifiedAt: number }> = [];
  const settleOrphans = async () => {
    const referenced = await deps.metadata.referencedBlobKeys(candidates.map((blob) => blob.key));
    for (const blob of candidates) {
      if (referenced.has(blob.key) || blob.modifiedAt >= cutoff) continue;
      let removed = false;
      if (options.repair && !(await commitInProgress()) && (await deps.metadata.referencedBlobKeys([blob.key])).size === 0) {
        await deps.blobs.delete(blob.key);
        removed = true;
      }
      add(report.orphans, { blobKey: blob.key, sizeBytes: blob.sizeBytes, modifiedAt: new Date(blob.modifiedAt).toISOString(), removed });
    }
    candidates = [];
  };
  for await (const blob of deps.inventory.blobs(options.signal)) {
    candidates.push(blob);
    if (candidates.length >= BATCH) await settleOrphans();
  }
  await settleOrphans();

  // 3. Staged uploads no session names (a session row is written right after its upload is created).
  let uploads: Array<{ uploadId: string; modifiedAt: number }> = [];
  const settleUploads = async () => {
    const known = await deps.metadata.knownUploadIds(uploads.map((upload) => upload.uploadId));
    for (const upload of uploads) {
      if (known.has(upload.uploadId) || upload.modifiedAt >= cutoff) continue;
      let removed = false;
      if (options.repair && (await deps.metadata.knownUploadIds([upload.uploadId])).size === 0) {
        await deps.blobs.abortUpload({ uploadId: upload.uploadId });
        removed = true;
      }
      add(report.strayUploads, { uploadId: upload.uploadId, modifiedAt: new Date(upload.modifiedAt).toISOString(), removed });
    }
    uploads = [];
  };
  for await (const upload of deps.inventory.uploads(options.signal)) {
    uploads.push(upload);
    if (uploads.length >= BATCH) await settleUploads();
  }
  await settleUploads();

  // 4. Commits that started before the grace period and never finished (their committer died;
  // the server's sweep rolls them back to OPEN, docs/decisions.md 51).
  const stuck = await deps.metadata.committingSessions({ updatedBefore: cutoff, limit: options.listLimit });
  for (const session of stuck) add(report.stuckCommitting, { sessionId: session.id, updatedAt: new Date(session.updatedAt).toISOString() });

  report.ok = [report.missing, report.corrupt, report.unreadable, report.orphans, report.strayUploads, report.stuckCommitting].every(
    (found) => found.count === 0,
  );
  report.durationMs = deps.clock.now() - started;
  return report;
}
