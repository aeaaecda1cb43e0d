// Staged uploads on disk. Each upload is a directory of part files; a part is written to a temp
// file and renamed over `part-<n>`, so replacing a part is all-or-nothing. Completing an upload
// never copies a byte: the directory itself is claimed with one rename (after which the upload id
// names nothing, so late parts are refused), given a manifest, and renamed into the blob tree.
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DomainError } from '../../core/errors.js';
import type { ByteSource, StoredBlob } from '../../core/ports/blobStore.js';
import { MANIFEST_FILE_NAME, writeManifest, type ManifestPart } from './compositeManifest.js';
import { assertValidPartIndex, newId, partFileName, partIndexOf, type DiskLayout } from './diskLayout.js';
import { fsyncDirectory, makeDirectoryDurably, writeBodyToNewFile } from './durableFiles.js';
import { isMissingPathError } from './fileSystemErrors.js';
import { resolveRange, streamSegments } from './segmentedReads.js';

const uploadNotFound = (cause?: unknown): DomainError => new DomainError('NOT_FOUND', 'No open upload with that id.', { cause });

export async function createUpload(layout: DiskLayout, signal?: AbortSignal): Promise<{ uploadId: string }> {
  signal?.throwIfAborted();
  const uploadId = newId();
  await makeDirectoryDurably(layout.uploadDirectory(uploadId));
  return { uploadId };
}

export async function putPart(
  layout: DiskLayout,
  input: { uploadId: string; index: number; version?: string; body: ByteSource; sizeBytes?: number; signal?: AbortSignal },
  direct: boolean,
): Promise<StoredBlob> {
  assertValidPartIndex(input.index);
  const uploadDirectory = layout.uploadDirectory(input.uploadId);
  const partPath = layout.partPath(input.uploadId, input.index, input.version);
  // Refuse before reading the body: no point receiving megabytes for an upload that is gone.
  await assertUploadExists(uploadDirectory);

  const tempPath = layout.newTempPath();
  const { sizeBytes } = await writeBodyToNewFile({ body: input.body, filePath: tempPath, signal: input.signal, direct });
  try {
    assertAnnouncedSize(sizeBytes, input.sizeBytes);
    await rename(tempPath, partPath);
  } catch (error) {
    await rm(tempPath, { force: true });
    // The directory vanished while the body streamed: the upload was aborted or completed.
    throw isMissingPathError(error) ? uploadNotFound(error) : error;
  }
  try {
    await fsyncDirectory(uploadDirectory);
  } catch (error) {
    // Completed or aborted right after our rename: the part went (durably) with the directory.
    if (!isMissingPathError(error)) throw error;
  }
  // Parts are not blobs: this key only names the part for logs, it cannot be passed to get().
  return { key: `${input.uploadId}/${partFileName(input.index, input.version)}`, sizeBytes };
}

export async function getPart(layout: DiskLayout, input: { uploadId: string; index: number; version?: string; signal?: AbortSignal }): Promise<Readable> {
  assertValidPartIndex(input.index);
  const partPath = layout.partPath(input.uploadId, input.index, input.version);
  let sizeBytes: number;
  try {
    sizeBytes = (await stat(partPath)).size;
  } catch (error) {
    if (isMissingPathError(error)) throw new DomainError('NOT_FOUND', 'No such part in that upload.', { cause: error });
    throw error;
  }
  const span = resolveRange(undefined, sizeBytes);
  return streamSegments(span ? [{ filePath: partPath, start: span.start, end: span.end }] : [], input.signal);
}

/** One version of a part, gone. A missing file or upload is fine: nothing to remove. */
export async function deletePart(layout: DiskLayout, input: { uploadId: string; index: number; version: string }): Promise<void> {
  assertValidPartIndex(input.index);
  await rm(layout.partPath(input.uploadId, input.index, input.version), { force: true });
}

export async function completeUpload(
  layout: DiskLayout,
  input: { uploadId: string; indexes: readonly number[]; versions?: readonly (string | undefined)[]; signal?: AbortSignal },
): Promise<StoredBlob> {
  input.signal?.throwIfAborted();
  const uploadDirectory = layout.uploadDirectory(input.uploadId);
  assertCompletionIndexes(input.indexes);
  // docs/decisions.md 50: exactly the named version of each part; any other version (a late or a
  // superseded write) is left out of the blob and removed with the rest below.
  const fileNames = input.indexes.map((index, position) => partFileName(index, input.versions?.[position]));
  const present = await presentPartFiles(uploadDirectory);
  const missingIndexes = input.indexes.filter((_, position) => !present.has(fileNames[position]));
  if (missingIndexes.length > 0) {
    // Checked before claiming, so the upload stays open and the caller can send them and retry.
    throw new DomainError('BAD_REQUEST', `Parts ${missingIndexes.join(', ')} were never uploaded.`, { details: { missingIndexes } });
  }

  // One rename claims the upload: from here on putPart, abortUpload and a second completeUpload
  // all find nothing under this upload id.
  const assemblyDirectory = layout.newTempPath();
  try {
    await rename(uploadDirectory, assemblyDirectory);
  } catch (error) {
    throw isMissingPathError(error) ? uploadNotFound(error) : error;
  }

  const key = newId();
  const blobPath = layout.blobPath(key);
  let parts: ManifestPart[];
  try {
    parts = await Promise.all(fileNames.map(async (file) => ({ file, sizeBytes: (await stat(path.join(assemblyDirectory, file))).size })));
    await writeManifest({ directory: assemblyDirectory, parts });
    await makeDirectoryDurably(path.dirname(blobPath));
    await rename(assemblyDirectory, blobPath);
  } catch (error) {
    await reopenUpload(assemblyDirectory, uploadDirectory);
    throw error;
  }
  await fsyncDirectory(path.dirname(blobPath));
  await fsyncDirectory(layout.uploadsDirectory);
  await removeUnlistedParts(blobPath, new Set(parts.map((part) => part.file)));
  return { key, sizeBytes: parts.reduce((total, part) => total + part.sizeBytes, 0) };
}

export async function abortUpload(layout: DiskLayout, input: { uploadId: string }): Promise<void> {
  const uploadDirectory = layout.uploadDirectory(input.uploadId);
  // Renamed away first so the upload disappears at once, not part by part.
  const doomed = layout.newTempPath();
  try {
    await rename(uploadDirectory, doomed);
  } catch (error) {
    if (isMissingPathError(error)) return;
    throw error;
  }
  await rm(doomed, { recursive: true, force: true });
}

async function assertUploadExists(uploadDirectory: string): Promise<void> {
  try {
    await stat(uploadDirectory);
  } catch (error) {
    throw isMissingPathError(error) ? uploadNotFound(error) : error;
  }
}

function assertAnnouncedSize(actualBytes: number, announcedBytes: number | undefined): void {
  if (announcedBytes === undefined || actualBytes === announcedBytes) return;
  if (actualBytes < announcedBytes) throw new DomainError('TRUNCATED_BODY');
  throw new DomainError('BAD_REQUEST', `The part has more bytes than the ${announcedBytes} announced.`);
}

/** Indexes must be valid, strictly ascending (so each part appears once), and at least one. */
function assertCompletionIndexes(indexes: readonly number[]): void {
  if (!Array.isArray(indexes) || indexes.length === 0) throw new DomainError('BAD_REQUEST', 'At least one part index is needed.');
  indexes.forEach((index, position) => {
    assertValidPartIndex(index);
    if (position > 0 && index <= indexes[position - 1]) throw new DomainError('BAD_REQUEST', 'Part indexes must be strictly ascending.');
  });
}

async function presentPartFiles(uploadDirectory: string): Promise<Set<string>> {
  try {
    return new Set((await readdir(uploadDirectory)).filter((name) => partIndexOf(name) !== undefined));
  } catch (error) {
    throw isMissingPathError(error) ? uploadNotFound(error) : error;
  }
}

/** Best effort after a failed completion: give the upload back so the caller may retry. */
async function reopenUpload(assemblyDirectory: string, uploadDirectory: string): Promise<void> {
  try {
    await rm(path.join(assemblyDirectory, MANIFEST_FILE_NAME), { force: true });
    await rename(assemblyDirectory, uploadDirectory);
  } catch {
    // Left in tmp, where sweepTemporary will remove it.
  }
}

// Done after the blob is in place: a crash before this only leaves unreferenced files inside the
// composite directory, which the manifest ignores and delete() removes with it.
async function removeUnlistedParts(blobPath: string, listedFiles: ReadonlySet<string>): Promise<void> {
  const names = await readdir(blobPath);
  const unlisted = names.filter((name) => partIndexOf(name) !== undefined && !listedFiles.has(name));
  await Promise.all(unlisted.map((name) => rm(path.join(blobPath, name), { force: true })));
}
