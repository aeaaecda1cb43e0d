// Helpers for the MetadataStore contract suite: realistic records to store and a check for the
// DomainError codes the port promises. Only the port is used, never a backend's tables.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isDomainError, type ErrorCode } from '../../../core/errors.js';
import type { NewRevision, UploadSessionRecord, User } from '../../../core/model.js';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';

/** A timestamp past 2^31, so a store that keeps milliseconds in 32 bits fails loudly. */
export const T0 = 1_700_000_000_123;

export async function assertRejectsWithCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isDomainError(error), `expected DomainError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

export async function createUser(store: MetadataStore, name = `user-${randomUUID()}`, isAdmin = false): Promise<User> {
  return store.principals.createUser({ name, isAdmin, createdAt: T0 });
}

let revisionCounter = 0;

/** A revision as the write path would describe it, with a fresh blob key. */
export function newRevision(uploadUserId: number, overrides: Partial<NewRevision> = {}): NewRevision {
  revisionCounter += 1;
  return {
    blobKey: `blobs/${randomUUID()}`,
    sizeBytes: 6 * 1024 ** 4 + revisionCounter, // past 2^32 too: 6 TiB and a bit
    md5: 'D41D8CD98F00B204E9800998ECF8427E',
    sha256: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    contentType: 'text/csv',
    uploadUserId,
    uploadTimeMillis: 42,
    uploadedAt: T0 + revisionCounter,
    scanState: 'NOT_SCANNED',
    ...overrides,
  };
}

export async function createFile(store: MetadataStore, ownerId: number, options: { name?: string; publicAccess?: boolean } = {}) {
  return store.files.createFile({
    name: options.name ?? 'report.csv',
    description: 'quarterly numbers',
    ownerId,
    publicAccess: options.publicAccess ?? false,
    createdAt: T0,
    revision: newRevision(ownerId),
  });
}

export function newSession(ownerId: number, overrides: Partial<UploadSessionRecord> = {}): UploadSessionRecord {
  return {
    id: randomUUID(),
    ownerId,
    fileId: null,
    name: 'big.bin',
    description: 'uploaded in parts',
    contentType: 'application/octet-stream',
    state: 'OPEN',
    blobUploadId: `uploads/${randomUUID()}`,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: T0 + 7 * 24 * 3600 * 1000,
    committedFileId: null,
    committedRevisionId: null,
    partsReleased: false,
    ...overrides,
  };
}

export function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
