// The domain's vocabulary: files, revisions, principals, grants and upload sessions.
// Wire names (dataFileId, md5Hash, …) are produced by the HTTP layer from these records.
import type { TokenRecord } from './accounts/token.js';

/** docs/decisions.md 16: "Grants form a ladder", lowest first. */
export const GRANTS = ['READ', 'READ_WRITE', 'READ_WRITE_DELETE', 'READ_WRITE_DELETE_SHARE', 'READ_WRITE_DELETE_SHARE_ADMIN'] as const;
export type Grant = (typeof GRANTS)[number];

/** docs/decisions.md 18: `pass` is `NONE` or a grant name, stored with no effect; the API accepts only NONE (docs/decisions.md 37). */
export type Pass = 'NONE' | Grant;
export const PASSES: readonly Pass[] = ['NONE', ...GRANTS];

export type EntityType = 'USER' | 'GROUP';
export const ENTITY_TYPES: readonly EntityType[] = ['USER', 'GROUP'];

/** docs/decisions.md 26. */
export type ScanState = 'NOT_SCANNED' | 'PENDING' | 'SAFE' | 'INFECTED' | 'FAILED';

export interface User {
  id: number;
  name: string;
  isAdmin: boolean;
  createdAt: number;
}

export interface Group {
  id: number;
  name: string;
}

/** Who is making a request: the user and the groups it belongs to. */
export interface Caller {
  /** isAdmin only when the token's scope is admin too (docs/decisions.md 61). */
  user: User;
  groupIds: readonly number[];
  /** The token's record, when the caller came through one (every HTTP request). */
  token?: TokenRecord;
  /**
   * The user's own storage quota as read with the token (null: none of its own; undefined: not
   * read, look it up), so an upload's admission needs no query of its own (docs/decisions.md 161).
   */
  quotaBytes?: number | null;
}

export interface FileRecord {
  id: number;
  name: string;
  description: string;
  ownerId: number;
  publicAccess: boolean;
  createdAt: number;
  currentRevisionId: number;
}

/** What the write path measured about stored bytes. Hashes are upper-case hex (docs/decisions.md 3). */
export interface ContentFacts {
  sizeBytes: number;
  md5: string;
  sha256: string;
  contentType: string;
}

export interface NewRevision extends ContentFacts {
  blobKey: string;
  uploadUserId: number;
  uploadTimeMillis: number;
  uploadedAt: number;
  scanState: ScanState;
}

export interface RevisionRecord extends NewRevision {
  id: number;
  fileId: number;
  /** When `datafiles verify` found its stored bytes corrupt (docs/decisions.md 106); absent otherwise. */
  corruptAt?: number;
}

export interface PermissionEntry {
  entityType: EntityType;
  entityId: number;
  grant: Grant;
  pass: Pass;
}

export interface Permissions {
  publicAccess: boolean;
  entries: PermissionEntry[];
}

/** docs/architecture.md: "OPEN → COMMITTING → COMMITTED | ABORTED | EXPIRED". */
export type SessionState = 'OPEN' | 'COMMITTING' | 'COMMITTED' | 'ABORTED' | 'EXPIRED';

export interface UploadSessionRecord {
  id: string;
  ownerId: number;
  /** Set for an update session: the commit adds a revision to this file. */
  fileId: number | null;
  name: string;
  description: string;
  contentType: string;
  state: SessionState;
  /** The blob store's handle for the staged upload (BlobStore.createUpload). */
  blobUploadId: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** Set once COMMITTED, so that a retried commit returns the same answer. */
  committedFileId: number | null;
  committedRevisionId: number | null;
  /**
   * The staged upload is gone from the blob store: consumed by the commit, or removed after an
   * abort or expiry. A closed session not yet released still holds parts; the sweep removes them.
   */
  partsReleased: boolean;
}

export interface SessionPart {
  index: number;
  sizeBytes: number;
  sha256: string;
  uploadedAt: number;
  /**
   * Which version of the staged part holds these bytes (BlobStore.putPart's `version`;
   * docs/decisions.md 50). Absent for parts stored before versions existed (the unversioned slot).
   */
  blobVersion?: string;
}
