// The server's answers, in the spec's shapes with docs/decisions.md's wire rules: timestamps are epoch
// milliseconds (1), ids are integers and sessionId an opaque string (2), hashes upper-case hex (3).
// The shapes come from wireTypes.ts, generated from the server's own schemas (docs/decisions.md 100),
// so the SDK cannot drift from the wire; this file names the parts a client needs on their own.
import type { FilePermissionsUpdateBody, FileRevision, PermissionEntry, UploadSession } from './wireTypes.js';

export type {
  CommitResult,
  FileDetails,
  FilePermissions,
  FileRevision,
  PartUploaded,
  PermissionEntry,
  SessionCreated,
  UploadFileResult,
  UploadRevisionResult,
  UploadSession,
} from './wireTypes.js';

/** docs/decisions.md 16: the grant ladder, lowest first. */
export const GRANTS = [
  'READ',
  'READ_WRITE',
  'READ_WRITE_DELETE',
  'READ_WRITE_DELETE_SHARE',
  'READ_WRITE_DELETE_SHARE_ADMIN',
] as const satisfies readonly PermissionEntry['grant'][];
export type Grant = PermissionEntry['grant'];
export type EntityType = PermissionEntry['entityType'];
/** docs/decisions.md 18: stored and returned, no effect yet. */
export type Pass = PermissionEntry['pass'];
/** docs/decisions.md 26. */
export type ScanState = FileRevision['scanState'];
/** docs/decisions.md 10: what `expand` may ask for. */
export type Expand = 'revisions' | 'metadata';
export type SessionState = UploadSession['state'];

type EntryUpdate = NonNullable<FilePermissionsUpdateBody['entries']>[number];

/**
 * spec: "Update file permissions". Either field may be left out; `entries`, when given, replaces
 * the list (the owner's entry is kept by the server). The server's schema takes any string for
 * the names below and answers a Domo-shaped 400 for an unknown one (docs/decisions.md 101); the SDK
 * narrows them to the values that server accepts.
 */
export interface FilePermissionsUpdate extends Omit<FilePermissionsUpdateBody, 'entries'> {
  entries?: Array<Omit<EntryUpdate, 'entityType' | 'grant' | 'pass'> & { entityType: EntityType; grant: Grant; pass?: Pass }>;
}
