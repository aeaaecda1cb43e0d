// GENERATED from the server's schemas (src/http/schemas.ts, src/http/sessionWire.ts) by
// src/http/sdkWireTypes.ts: do not edit. Run `npm run generate:sdk-types` after changing a schema
// (docs/decisions.md 100). Timestamps are epoch milliseconds, ids integers, hashes upper-case hex.

/** spec: "Get all files metadata": `currentRevision` and each of `revisions`. */
export interface FileRevision {
  dataFileRevisionId: number;
  dataFileId: number;
  contentType: string;
  uploadUserId: number;
  sizeBytes: number;
  /** How long the server took to receive and store it (docs/decisions.md 11) */
  uploadTimeMillis: number;
  md5Hash: string;
  /** epoch milliseconds */
  datetimeUploaded: number;
  scanState: 'NOT_SCANNED' | 'PENDING' | 'SAFE' | 'INFECTED' | 'FAILED';
  sha256HashValue: string;
}

/** spec: "Get file metadata by ID". `description` and `publicAccess` only with expand=metadata; `revisions` empty unless expand has `revisions`. */
export interface FileDetails {
  dataFileId: number;
  name: string;
  responsibleUserId: number;
  description?: string;
  publicAccess?: boolean;
  currentRevision: FileRevision;
  /** epoch milliseconds */
  datetimeCreated: number;
  revisions: Array<FileRevision>;
  existing: boolean;
}

/** spec: "Get file permissions": one entry. `entityId` is a string on the wire. */
export interface PermissionEntry {
  entityType: 'USER' | 'GROUP';
  /** A user or group id, as a string */
  entityId: string;
  grant: 'READ' | 'READ_WRITE' | 'READ_WRITE_DELETE' | 'READ_WRITE_DELETE_SHARE' | 'READ_WRITE_DELETE_SHARE_ADMIN';
  /** Stored with no effect (docs/decisions.md 18); always NONE */
  pass: 'NONE' | 'READ' | 'READ_WRITE' | 'READ_WRITE_DELETE' | 'READ_WRITE_DELETE_SHARE' | 'READ_WRITE_DELETE_SHARE_ADMIN';
}

/** spec: "Get file permissions". */
export interface FilePermissions {
  publicAccess: boolean;
  entries: Array<PermissionEntry>;
}

/** spec: "Update file permissions": what the server's schema accepts (types.ts narrows the strings). */
export interface FilePermissionsUpdateBody {
  publicAccess?: boolean;
  entries?: Array<{
    entityType: string;
    entityId: string | number;
    grant: string;
    pass?: null | string;
  }>;
}

/** spec: "Upload a file". */
export interface UploadFileResult {
  dataFileId: number;
}

/** spec: "Upload a file revision". */
export interface UploadRevisionResult {
  revisionId: number;
}

/** spec: "Creating a Multi-part Upload Session" and "…Update Session". */
export interface SessionCreated {
  sessionId: string;
}

/** What the server answers for a stored part. */
export interface PartUploaded {
  index: number;
  sizeBytes: number;
  sha256: string;
}

/** spec: "Completing a Multi-part Upload" (integers, docs/decisions.md 2). */
export interface CommitResult {
  dataFileId: number;
  revisionId: number;
}

/** docs/decisions.md 25: GET /multipart/{sessionId}, what a client needs to resume. */
export interface UploadSession {
  sessionId: string;
  state: 'OPEN' | 'COMMITTING' | 'COMMITTED' | 'ABORTED' | 'EXPIRED';
  name: string;
  description: string;
  contentType: string;
  /** The file an update session writes to, or the file a commit created */
  dataFileId: number | null;
  /** The revision the commit created */
  revisionId: number | null;
  /** epoch milliseconds */
  createdAt: number;
  /** epoch milliseconds */
  updatedAt: number;
  /** epoch milliseconds; renewed by every part */
  expiresAt: number;
  /** The stored parts; none once the session was aborted or expired */
  parts: Array<PartUploaded>;
}
