// Where everything lives under the store's root, and the only place a key or upload id becomes a
// path. Keys and upload ids are generated here (docs/architecture.md, convention 5) and every id handed
// back to us is checked against that exact format first, so nothing like `../` can reach the file
// system: a malformed id simply names nothing (NOT_FOUND).
//
//   root/blobs/ab/cd/<key>            a blob written by put: one regular file
//   root/blobs/ab/cd/<key>/           a blob assembled by completeUpload: parts + manifest.json
//   root/uploads/<uploadId>/part-<n>  staged parts (part-<n>.<version> for a versioned write)
//   root/tmp/<writer>-<random>.tmp    writes in progress; leftovers are removed by sweepTemporary
//                                     (<writer>: the store instance that writes it, see isOwnTemp)
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DomainError } from '../../core/errors.js';
import { PART_VERSION_FORMAT } from '../../core/ports/blobStore.js';

/** 128 random bits as lowercase hex: URL-safe, and safe on case-insensitive file systems. */
const ID_FORMAT = /^[0-9a-f]{32}$/;
const PART_FILE_FORMAT = /^part-([1-9][0-9]{0,4})(?:\.[0-9a-f]{16})?$/;

export const MIN_PART_INDEX = 1;
export const MAX_PART_INDEX = 10_000;

export function newId(): string {
  return randomBytes(16).toString('hex');
}

export function isValidPartIndex(index: unknown): index is number {
  return Number.isInteger(index) && (index as number) >= MIN_PART_INDEX && (index as number) <= MAX_PART_INDEX;
}

export function assertValidPartIndex(index: unknown): asserts index is number {
  if (!isValidPartIndex(index)) throw new DomainError('INVALID_PART_INDEX');
}

/** `part-<n>`, or `part-<n>.<version>` for one version of it (src/core/ports/blobStore.ts). */
export function partFileName(index: number, version?: string): string {
  if (version === undefined) return `part-${index}`;
  if (typeof version !== 'string' || !PART_VERSION_FORMAT.test(version)) throw new DomainError('BAD_REQUEST', 'A part version is 16 lowercase hex digits.');
  return `part-${index}.${version}`;
}

/** The index named by a part file name, or undefined for anything else in the directory. */
export function partIndexOf(fileName: string): number | undefined {
  const match = PART_FILE_FORMAT.exec(fileName);
  if (!match) return undefined;
  const index = Number(match[1]);
  return isValidPartIndex(index) ? index : undefined;
}

export function isPartFileName(fileName: string): boolean {
  return partIndexOf(fileName) !== undefined;
}

function assertStoreId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || !ID_FORMAT.test(id)) {
    throw new DomainError('NOT_FOUND', `No ${what} with that id.`);
  }
}

export interface DiskLayout {
  readonly root: string;
  readonly blobsDirectory: string;
  readonly uploadsDirectory: string;
  readonly tempDirectory: string;
  blobPath(key: string): string;
  uploadDirectory(uploadId: string): string;
  partPath(uploadId: string, index: number, version?: string): string;
  /** A fresh, unused path in the temp directory, named as this layout's (see isOwnTemp). */
  newTempPath(): string;
  /**
   * Whether a name in the temp directory was made by this layout's newTempPath. Each layout (one
   * per opened store, so one per process) tags its names with a random writer id of its own.
   */
  isOwnTemp(name: string): boolean;
}

export function diskLayout(root: string): DiskLayout {
  const absoluteRoot = path.resolve(root);
  const blobsDirectory = path.join(absoluteRoot, 'blobs');
  const uploadsDirectory = path.join(absoluteRoot, 'uploads');
  const tempDirectory = path.join(absoluteRoot, 'tmp');
  const writer = randomBytes(6).toString('hex');

  const uploadDirectory = (uploadId: string): string => {
    assertStoreId(uploadId, 'upload');
    return path.join(uploadsDirectory, uploadId);
  };

  return {
    root: absoluteRoot,
    blobsDirectory,
    uploadsDirectory,
    tempDirectory,
    // Two levels of fan-out keep any one directory small with millions of blobs.
    blobPath(key) {
      assertStoreId(key, 'blob');
      return path.join(blobsDirectory, key.slice(0, 2), key.slice(2, 4), key);
    },
    uploadDirectory,
    partPath(uploadId, index, version) {
      assertValidPartIndex(index);
      return path.join(uploadDirectory(uploadId), partFileName(index, version));
    },
    newTempPath: () => path.join(tempDirectory, `${writer}-${newId()}.tmp`),
    isOwnTemp: (name) => name.startsWith(`${writer}-`),
  };
}
