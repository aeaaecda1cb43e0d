// The first part of `datafiles verify` (docs/decisions.md 105-107), shared with the server's
// background scrub (docs/decisions.md 140): every blob that some revision row names is read once
// through the BlobStore port (rows sharing a blob, copies and duplicates, come together: the rows
// are read by blob key), its size, MD5 and SHA-256 recomputed with the Hasher port and compared
// with each row. With `repair`, corrupt and missing revisions are marked so that they are never
// served silently (docs/decisions.md 106).
import type { Readable } from 'node:stream';
import { isDomainError } from '../errors.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import type { VerificationStore, VerifiedRevision } from '../ports/verificationStore.js';
import { Pacer } from './pacer.js';

export interface RevisionCheckDeps {
  metadata: VerificationStore;
  blobs: BlobStore;
  hasher: Hasher;
  clock: Clock;
  sleep(ms: number): Promise<void>;
}

export interface RevisionCheckOptions {
  repair: boolean;
  /** Bytes read per second at most (undefined: no cap). */
  maxBytesPerSecond?: number;
  /** Entries listed per finding (their counts are always exact). */
  listLimit: number;
  /** Revision rows read per query. */
  pageSize?: number;
  onProgress?(progress: { blobsChecked: number; bytesRead: number }): void;
  signal?: AbortSignal;
}

export interface Facts {
  sizeBytes: number;
  md5: string;
  sha256: string;
}

export interface Finding<T> {
  count: number;
  /** The first `listLimit` of them. */
  items: T[];
}

export interface RevisionCheckReport {
  revisionsChecked: number;
  blobsChecked: number;
  bytesRead: number;
  missing: Finding<{ revisionId: number; fileId: number; blobKey: string }>;
  corrupt: Finding<{ revisionId: number; fileId: number; blobKey: string; expected: Facts; actual: Facts; markedAt: number | null }>;
  unreadable: Finding<{ blobKey: string; revisionIds: number[]; error: string }>;
}

const BATCH = 500;

export function finding<T>(): Finding<T> {
  return { count: 0, items: [] };
}

export function emptyRevisionCheckReport(): RevisionCheckReport {
  return { revisionsChecked: 0, blobsChecked: 0, bytesRead: 0, missing: finding(), corrupt: finding(), unreadable: finding() };
}

/** Checks every referenced blob against its rows, adding to `report` (which it also returns). */
export async function checkStoredRevisions(
  deps: RevisionCheckDeps,
  options: RevisionCheckOptions,
  report: RevisionCheckReport = emptyRevisionCheckReport(),
): Promise<RevisionCheckReport> {
  const pacer = new Pacer(deps.clock, deps.sleep, options.maxBytesPerSecond);
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
    options.signal?.throwIfAborted();
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
  return report;
}

async function readFacts(
  deps: RevisionCheckDeps,
  key: string,
  pacer: Pacer,
  onBytes: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<Facts | 'missing'> {
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
