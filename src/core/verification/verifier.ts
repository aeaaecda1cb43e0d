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
import type { Readable } from 'node:stream';
import { isDomainError } from '../errors.js';
import type { BlobInventory } from '../ports/blobInventory.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import type { VerificationStore, VerifiedRevision } from '../ports/verificationStore.js';
import { Pacer } from './pacer.js';

export interface VerifyDeps {
  metadata: VerificationStore;
  blobs: BlobStore;
  inventory: BlobInventory;
  hasher: Hasher;
  clock: Clock;
  sleep(ms: number): Promise<void>;
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

interface Facts {
  sizeBytes: number;
  md5: string;
  sha256: string;
}

export interface Finding<T> {
  count: number;
  /** The first `listLimit` of them. */
  items: T[];
}

export interface VerifyReport {
  ok: boolean;
  repaired: boolean;
  revisionsChecked: number;
  blobsChecked: number;
  bytesRead: number;
  durationMs: number;
  missing: Finding<{ revisionId: number; fileId: number; blobKey: string }>;
  corrupt: Finding<{ revisionId: number; fileId: number; blobKey: string; expected: Facts; actual: Facts; markedAt: number | null }>;
  unreadable: Finding<{ blobKey: string; revisionIds: number[]; error: string }>;
  orphans: Finding<{ blobKey: string; sizeBytes: number; modifiedAt: string; removed: boolean }>;
  strayUploads: Finding<{ uploadId: string; modifiedAt: string; removed: boolean }>;
  stuckCommitting: Finding<{ sessionId: string; updatedAt: string }>;
}

const BATCH = 500;

function finding<T>(): Finding<T> {
  return { count: 0, items: [] };
}

export async function verifyStores(deps: VerifyDeps, options: VerifyOptions): Promise<VerifyReport> {
  const started = deps.clock.now();
  const pacer = new Pacer(deps.clock, deps.sleep, options.maxBytesPerSecond);
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
  const toMark: number[] = [];
  const flushMarks = async () => {
    if (options.repair && toMark.length > 0) await deps.metadata.markCorrupt({ revisionIds: toMark.splice(0), at: deps.clock.now() });
  };

  // A blob that is gone because its last revision was deleted while this ran is no finding.
  const deletedMeanwhile = async (blobKey: string) => (await deps.metadata.referencedBlobKeys([blobKey])).size === 0;

  // 1. Every referenced blob, once, against each row that names it.
  const checkBlob = async (rows: VerifiedRevision[]) => {
    const blobKey = rows[0].blobKey;
    report.revisionsChecked += rows.length;
    report.blobsChecked += 1;
    let actual: Facts | 'missing';
    try {
      actual = await readFacts(
        deps,
        blobKey,
        pacer,
        (bytes) => {
          report.bytesRead += bytes;
          options.onProgress?.({ blobsChecked: report.blobsChecked, bytesRead: report.bytesRead });
        },
        options.signal,
      );
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (await deletedMeanwhile(blobKey)) return;
      add(report.unreadable, { blobKey, revisionIds: rows.map((row) => row.id), error: (error as Error).message });
      return;
    }
    if (actual === 'missing' && (await deletedMeanwhile(blobKey))) return;
    for (const row of rows) {
      if (actual === 'missing') {
        add(report.missing, { revisionId: row.id, fileId: row.fileId, blobKey });
        if (row.corruptAt === null) toMark.push(row.id);
        continue;
      }
      const expected = { sizeBytes: row.sizeBytes, md5: row.md5.toUpperCase(), sha256: row.sha256.toUpperCase() };
      if (expected.sizeBytes === actual.sizeBytes && expected.md5 === actual.md5 && expected.sha256 === actual.sha256) continue;
      add(report.corrupt, { revisionId: row.id, fileId: row.fileId, blobKey, expected, actual, markedAt: row.corruptAt });
      if (row.corruptAt === null) toMark.push(row.id);
    }
    options.onProgress?.({ blobsChecked: report.blobsChecked, bytesRead: report.bytesRead });
  };
  let after: { blobKey: string; id: number } | undefined;
  let group: VerifiedRevision[] = [];
  for (;;) {
    const page = await deps.metadata.revisionsByBlob({ after, limit: options.pageSize ?? BATCH });
    for (const row of page) {
      if (group.length > 0 && group[0].blobKey !== row.blobKey) {
        await checkBlob(group);
        group = [];
      }
      group.push(row);
    }
    await flushMarks();
    if (page.length === 0) break;
    const last = page[page.length - 1];
    after = { blobKey: last.blobKey, id: last.id };
  }
  if (group.length > 0) await checkBlob(group);
  await flushMarks();

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

async function readFacts(deps: VerifyDeps, key: string, pacer: Pacer, onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<Facts | 'missing'> {
  let stream: Readable;
  try {
    stream = await deps.blobs.get({ key, signal });
  } catch (error) {
    if (isDomainError(error) && error.code === 'NOT_FOUND') return 'missing';
    throw error;
  }
  const digest = deps.hasher.stream(['md5', 'sha256']);
  let sizeBytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      await digest.update(chunk);
      sizeBytes += chunk.length;
      onBytes(chunk.length);
      await pacer.consumed(chunk.length);
    }
  } catch (error) {
    digest.abort();
    stream.destroy();
    if (isDomainError(error) && error.code === 'NOT_FOUND') return 'missing';
    throw error;
  }
  const { md5, sha256 } = await digest.finish();
  return { sizeBytes, md5, sha256 };
}
