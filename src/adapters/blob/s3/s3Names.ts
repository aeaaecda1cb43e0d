// Where everything lives in the bucket, and the only place a key or upload id becomes an object
// name. Keys and upload ids are generated here (docs/architecture.md, convention 5); every one handed
// back to us is checked against its exact format first, so a malformed id names nothing
// (NOT_FOUND) and can never reach outside the store's prefix.
//
//   <prefix>blobs/<key>                  a blob (put, or a completed staged upload)
//   <prefix>uploads/<key>/open           marker: a staged upload is open (see s3StagedUploads.ts)
//   <prefix>uploads/<key>/part-<n>       staged part n of the upload that will become blob <key>
//   <prefix>uploads/<key>/part-<n>.<v>   version v of it (src/core/ports/blobStore.ts)
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../../core/errors.js';
import { PART_VERSION_FORMAT } from '../../../core/ports/blobStore.js';

/** 128 random bits as lowercase hex, like the disk store's keys. */
const KEY_FORMAT = /^[0-9a-f]{32}$/;
const BASE64URL_FORMAT = /^[A-Za-z0-9_-]+$/;
const PART_NAME_FORMAT = /^part-([1-9][0-9]{0,4})(?:\.[0-9a-f]{16})?$/;

export const MIN_PART_INDEX = 1;
export const MAX_PART_INDEX = 10_000;

export function newKey(): string {
  return randomBytes(16).toString('hex');
}

export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_FORMAT.test(key);
}

export function assertValidPartIndex(index: unknown): asserts index is number {
  if (!Number.isInteger(index) || (index as number) < MIN_PART_INDEX || (index as number) > MAX_PART_INDEX) {
    throw new DomainError('INVALID_PART_INDEX');
  }
}

/** A staged upload: the key its blob will get, and the S3 multipart upload that assembles it. */
export interface UploadHandle {
  key: string;
  s3UploadId: string;
}

/**
 * The upload id the port hands out carries everything a server needs to continue the upload, so
 * any of many stateless servers can take the next request: `<key>.<S3 upload id, base64url>`.
 */
export function encodeUploadId(upload: UploadHandle): string {
  return `${upload.key}.${Buffer.from(upload.s3UploadId, 'utf8').toString('base64url')}`;
}

export function decodeUploadId(uploadId: unknown): UploadHandle {
  const notFound = new DomainError('NOT_FOUND', 'No open upload with that id.');
  if (typeof uploadId !== 'string') throw notFound;
  const dot = uploadId.indexOf('.');
  const key = uploadId.slice(0, dot);
  const encoded = uploadId.slice(dot + 1);
  if (dot < 0 || !isValidKey(key) || !BASE64URL_FORMAT.test(encoded)) throw notFound;
  const s3UploadId = Buffer.from(encoded, 'base64url').toString('utf8');
  // Reject ids that do not survive the round trip (stray characters, padding games).
  if (s3UploadId.length === 0 || encodeUploadId({ key, s3UploadId }) !== uploadId) throw notFound;
  return { key, s3UploadId };
}

/** '' or a prefix ending in '/', without a leading '/'. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '');
  if (trimmed === '') return '';
  if (trimmed.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new Error(`The S3 prefix ${JSON.stringify(prefix)} may not contain . or .. segments.`);
  }
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

export interface S3Names {
  /** Everything the store writes starts with this. */
  readonly root: string;
  readonly blobsPrefix: string;
  readonly uploadsPrefix: string;
  /** Object name of blob `key`; NOT_FOUND for a key this store cannot have issued. */
  blob(key: string): string;
  uploadDirectory(key: string): string;
  openMarker(key: string): string;
  part(key: string, index: number, version?: string): string;
  /** The entry name of a part (or one version of it) inside its upload directory. */
  partEntry(index: number, version?: string): string;
  /** The blob key an object name belongs to, or undefined if it is not a blob's name. */
  blobKeyOf(objectName: string): string | undefined;
  /** The upload key and the rest of the name, for objects under uploadsPrefix. */
  uploadEntryOf(objectName: string): { key: string; entry: string } | undefined;
  /** The part index an upload entry names (`part-<n>` or `part-<n>.<version>`), or undefined. */
  partIndexOf(entry: string): number | undefined;
}

export function s3Names(prefix: string): S3Names {
  const root = normalizePrefix(prefix);
  const blobsPrefix = `${root}blobs/`;
  const uploadsPrefix = `${root}uploads/`;
  const checked = (key: string): string => {
    if (!isValidKey(key)) throw new DomainError('NOT_FOUND', 'No blob with that key.');
    return key;
  };
  return {
    root,
    blobsPrefix,
    uploadsPrefix,
    blob: (key) => `${blobsPrefix}${checked(key)}`,
    uploadDirectory: (key) => `${uploadsPrefix}${checked(key)}/`,
    openMarker: (key) => `${uploadsPrefix}${checked(key)}/open`,
    part: (key, index, version) => `${uploadsPrefix}${checked(key)}/${partEntry(index, version)}`,
    partEntry,
    blobKeyOf: (objectName) => {
      if (!objectName.startsWith(blobsPrefix)) return undefined;
      const key = objectName.slice(blobsPrefix.length);
      return isValidKey(key) ? key : undefined;
    },
    uploadEntryOf: (objectName) => {
      if (!objectName.startsWith(uploadsPrefix)) return undefined;
      const rest = objectName.slice(uploadsPrefix.length);
      const slash = rest.indexOf('/');
      const key = rest.slice(0, slash);
      return slash > 0 && isValidKey(key) ? { key, entry: rest.slice(slash + 1) } : undefined;
    },
    partIndexOf: (entry) => {
      const match = PART_NAME_FORMAT.exec(entry);
      if (!match) return undefined;
      const index = Number(match[1]);
      return index <= MAX_PART_INDEX ? index : undefined;
    },
  };
}

function partEntry(index: number, version?: string): string {
  assertValidPartIndex(index);
  if (version === undefined) return `part-${index}`;
  if (typeof version !== 'string' || !PART_VERSION_FORMAT.test(version)) throw new DomainError('BAD_REQUEST', 'A part version is 16 lowercase hex digits.');
  return `part-${index}.${version}`;
}
