// The bytes port. Implementations: local disk (embedded) and S3 (scale-out).
// The store generates every key (docs/architecture.md, convention 5): no user-supplied name ever
// becomes a path or an object key.
//
// Errors: get of a missing key throws DomainError('NOT_FOUND'); an aborted signal rejects
// with the signal's reason; an unreachable backend throws DomainError('DEPENDENCY_UNAVAILABLE').
import type { Readable, Writable } from 'node:stream';

export type ByteSource = Readable | AsyncIterable<Uint8Array>;

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/**
 * What a stream from `get` may also offer (the disk store's does): to write its bytes into a
 * destination itself, reusing a few buffers for the whole transfer. Piping allocates a new buffer
 * per chunk, because a piped chunk belongs to the destination from then on; at 1 MiB a chunk, the
 * garbage those buffers made halved the download rate of a server whose heap was warm (docs/history.md, issue 6).
 */
export interface SendsItself {
  /** Writes every byte into `destination` and ends it; rejects (leaving it unended) on failure. */
  sendTo(destination: Writable): Promise<void>;
}

export function sendsItself(stream: Readable): stream is Readable & SendsItself {
  return typeof (stream as Readable & Partial<SendsItself>).sendTo === 'function';
}

/** What a part version looks like: 16 lowercase hex digits (see newPartVersion in src/core/sessions/sessionIds.ts). */
export const PART_VERSION_FORMAT = /^[0-9a-f]{16}$/;

export interface StoredBlob {
  key: string;
  sizeBytes: number;
}

export interface BlobStore {
  /**
   * Streams `body` into a new blob. Nothing is visible under the returned key until every byte is
   * durable (disk: temp file, fsync, rename; S3: completed upload). If the body errors or the
   * signal aborts, nothing is left behind and the promise rejects.
   */
  put(input: { body: ByteSource; signal?: AbortSignal; sizeHint?: number }): Promise<StoredBlob>;
  /**
   * Streams a blob, or the inclusive byte range of it. `sizeBytes` is the blob's size from the
   * caller's records, when it has them: a cache in front of the store decides with it without
   * asking the store (src/adapters/blob/smallBlobCache.ts); stores themselves ignore it.
   */
  get(input: { key: string; range?: ByteRange; signal?: AbortSignal; sizeBytes?: number }): Promise<Readable>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;

  // Staged uploads: parts written independently, in any order, then assembled in index order
  // as cheaply as the backend allows (disk: no copy; S3: its own multipart upload).
  //
  // A part may be written under a `version` (PART_VERSION_FORMAT, chosen by the caller): each
  // version is a separate staged object, so writing one never changes the bytes of another, and
  // getPart/completeUpload naming a version read exactly it (docs/decisions.md 50: a commit
  // assembles exactly the parts the metadata store recorded, whatever is written meanwhile).
  // Without a version, part `index` has one unversioned slot that each write replaces.
  createUpload(input?: { signal?: AbortSignal }): Promise<{ uploadId: string }>;
  /** Writes (or atomically replaces) part `index` (1–10,000), or its `version`. Rejects, leaving the old part, if the body fails. */
  putPart(input: { uploadId: string; index: number; version?: string; body: ByteSource; sizeBytes?: number; signal?: AbortSignal }): Promise<StoredBlob>;
  /** Streams one stored part (to hash parts that were not hashed on arrival). */
  getPart(input: { uploadId: string; index: number; version?: string; signal?: AbortSignal }): Promise<Readable>;
  /** Removes one version of a part (superseded, or written too late). Idempotent, also once the upload is gone. */
  deletePart(input: { uploadId: string; index: number; version: string }): Promise<void>;
  /**
   * Assembles parts `indexes` (ascending) into one new blob and releases the staged upload (every
   * other version of every part with it). `versions[i]`, when given, names the version of
   * `indexes[i]` to use (undefined: the unversioned slot).
   */
  completeUpload(input: {
    uploadId: string;
    indexes: readonly number[];
    versions?: readonly (string | undefined)[];
    signal?: AbortSignal;
  }): Promise<StoredBlob>;
  /** Removes every staged part. Idempotent. */
  abortUpload(input: { uploadId: string }): Promise<void>;

  /**
   * Keys of the blobs written before `writtenBefore` (epoch ms), in no set order, read as they are
   * yielded (never the whole listing at once): what the orphan sweep checks against the revision
   * rows (src/core/files/orphanedBlobs.ts). A blob deleted meanwhile may or may not be listed.
   */
  listBlobs(input: { writtenBefore: number; signal?: AbortSignal }): AsyncIterable<string>;
  /** Removes temporary leftovers of interrupted writes older than `olderThanMs`; returns how many. */
  sweepTemporary(input: { olderThanMs: number }): Promise<number>;
  /** Cheap round trip, for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
