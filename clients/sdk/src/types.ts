// The server's answers, in the spec's shapes with docs/decisions.md's wire rules: timestamps are epoch
// milliseconds (1), ids are integers and sessionId an opaque string (2), hashes upper-case hex (3).

/** docs/decisions.md 16: the grant ladder, lowest first. */
export const GRANTS = ['READ', 'READ_WRITE', 'READ_WRITE_DELETE', 'READ_WRITE_DELETE_SHARE', 'READ_WRITE_DELETE_SHARE_ADMIN'] as const;
export type Grant = (typeof GRANTS)[number];
export type EntityType = 'USER' | 'GROUP';
/** docs/decisions.md 18: stored and returned, no effect yet. */
export type Pass = 'NONE' | Grant;
/** docs/decisions.md 26. */
export type ScanState = 'NOT_SCANNED' | 'PENDING' | 'SAFE' | 'INFECTED' | 'FAILED';
/** docs/decisions.md 10: what `expand` may ask for. */
export type Expand = 'revisions' | 'metadata';

/** spec: "Get all files metadata": `currentRevision` and each of `revisions`. */
export interface FileRevision {
  dataFileRevisionId: number;
  dataFileId: number;
  contentType: string;
  uploadUserId: number;
  sizeBytes: number;
  /** How long the server took to receive and store it (docs/decisions.md 11). */
  uploadTimeMillis: number;
  md5Hash: string;
  /** Epoch milliseconds. */
  datetimeUploaded: number;
  scanState: ScanState;
  sha256HashValue: string;
}

/** spec: "Get file metadata by ID". */
export interface FileDetails {
  dataFileId: number;
  name: string;
  responsibleUserId: number;
  /** Only with expand=metadata. */
  description?: string;
  /** Only with expand=metadata. */
  publicAccess?: boolean;
  currentRevision: FileRevision;
  /** Epoch milliseconds. */
  datetimeCreated: number;
  /** Empty unless expand has `revisions`; then every remaining revision, newest first. */
  revisions: FileRevision[];
  existing: boolean;
}

/** spec: "Get file permissions": one entry. `entityId` is a string on the wire. */
export interface PermissionEntry {
  entityType: EntityType;
  entityId: string;
  grant: Grant;
  pass: Pass;
}

export interface FilePermissions {
  publicAccess: boolean;
  entries: PermissionEntry[];
}

/**
 * spec: "Update file permissions". Either field may be left out; `entries`, when given, replaces
 * the list (the owner's entry is kept by the server).
 */
export interface FilePermissionsUpdate {
  publicAccess?: boolean;
  entries?: Array<{ entityType: EntityType; entityId: string | number; grant: Grant; pass?: Pass }>;
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

export type SessionState = 'OPEN' | 'COMMITTING' | 'COMMITTED' | 'ABORTED' | 'EXPIRED';

/** docs/decisions.md 25: GET /multipart/{sessionId}, what a client needs to resume. */
export interface UploadSession {
  sessionId: string;
  state: SessionState;
  name: string;
  description: string;
  contentType: string;
  /** The file an update session writes to, or the file its commit created. */
  dataFileId: number | null;
  revisionId: number | null;
  createdAt: number;
  updatedAt: number;
  /** Renewed by every part (docs/decisions.md 24). */
  expiresAt: number;
  /** The stored parts; none once the session was aborted or expired. */
  parts: PartUploaded[];
}
