// The metadata port: small interfaces split by concern, composed into one MetadataStore.
// Implementations: Kysely over better-sqlite3 (embedded) and over pg (scale-out). Each method is
// atomic on its own (the implementation opens its own transaction and takes the row locks it
// needs), so the domain never sees a transaction or a SQL fragment.
//
// Errors: implementations throw DomainError('NAME_TAKEN') for unique-name clashes,
// DomainError('FILE_NOT_FOUND' | 'REVISION_NOT_FOUND' | 'SESSION_NOT_FOUND' | 'USER_NOT_FOUND' |
// 'GROUP_NOT_FOUND') where a method names a row that does not exist, and
// DomainError('DEPENDENCY_UNAVAILABLE') when the database cannot be reached.
import type { SignInCodeStore } from './signInCodeStore.js';
import type {
  Caller,
  FileRecord,
  Group,
  NewRevision,
  PermissionEntry,
  Permissions,
  RevisionRecord,
  ScanState,
  SessionPart,
  SessionState,
  UploadSessionRecord,
  User,
} from '../model.js';
import type { AccountStore } from './accountStore.js';
import type { AuditStore } from './auditStore.js';
import type { ScanQueueStore } from './scanQueue.js';
import type { VerificationStore } from './verificationStore.js';

export interface PrincipalStore {
  createUser(input: { name: string; isAdmin: boolean; createdAt: number }): Promise<User>;
  getUser(id: number): Promise<User | undefined>;
  findUserByName(name: string): Promise<User | undefined>;
  countUsers(): Promise<number>;
  /** Tokens are stored only as hashes (docs/decisions.md 20). */
  addToken(input: { userId: number; tokenHash: string; createdAt: number }): Promise<void>;
  findUserByTokenHash(tokenHash: string): Promise<User | undefined>;
  /** The user a token names and the groups it belongs to (ascending), in one round trip: what every request needs. */
  findCallerByTokenHash(tokenHash: string): Promise<Caller | undefined>;
  createGroup(input: { name: string }): Promise<Group>;
  getGroup(id: number): Promise<Group | undefined>;
  findGroupByName(name: string): Promise<Group | undefined>;
  /** Idempotent. */
  addGroupMember(input: { groupId: number; userId: number }): Promise<void>;
}

export interface ReadableFilter {
  /** The caller; an instance admin reads every file. */
  userId: number;
  groupIds: readonly number[];
  isAdmin: boolean;
  /** docs/decisions.md 15: keep files whose owner is the caller. */
  ownedOnly: boolean;
  /**
   * docs/decisions.md 180: keep files an entry shares with the caller, directly or through one of
   * its groups, and that someone else owns; public or not. For an admin too.
   */
  sharedOnly?: boolean;
  /** Only these ids (still filtered by readability). */
  ids?: readonly number[];
  /** Only files this user owns (still filtered by readability; docs/decisions.md 84). */
  ownerId?: number;
  /** Keyset paging (docs/decisions.md 150): only files whose id is greater than this one. */
  afterId?: number;
  limit?: number;
  offset?: number;
}

export interface FileWithRevision {
  file: FileRecord;
  currentRevision: RevisionRecord;
}

export interface FileStore {
  /**
   * Creates the file, its first revision (made current) and the owner's
   * READ_WRITE_DELETE_SHARE_ADMIN entry (docs/decisions.md 19), in one transaction.
   */
  createFile(input: {
    name: string;
    description: string;
    ownerId: number;
    publicAccess: boolean;
    createdAt: number;
    revision: NewRevision;
  }): Promise<FileWithRevision>;
  /** Adds a revision and makes it current, locking the file row. FILE_NOT_FOUND if the file is gone. */
  addRevision(input: { fileId: number; revision: NewRevision }): Promise<RevisionRecord>;
  getFile(id: number): Promise<FileRecord | undefined>;
  getFileWithRevision(id: number): Promise<FileWithRevision | undefined>;
  /** Files the filter's caller may read (owner, entry for the user or one of its groups, public, or admin), ordered by id. */
  listReadableFiles(filter: ReadableFilter): Promise<FileWithRevision[]>;
  getRevision(input: { fileId: number; revisionId: number }): Promise<RevisionRecord | undefined>;
  /** Every revision of each file, newest first. */
  listRevisions(fileIds: readonly number[]): Promise<Map<number, RevisionRecord[]>>;
  /**
   * docs/decisions.md 14: removes the revision. If it was current, the newest remaining revision
   * becomes current; if none remains, the file (and its permission entries) is deleted.
   * Returns its blob key if no revision references it any more; absent while another revision
   * (a copy or a duplicate, docs/decisions.md 83) still shares the bytes.
   */
  deleteRevision(input: { fileId: number; revisionId: number }): Promise<{ blobKey?: string; fileDeleted: boolean }>;
  /** Deletes the file with every revision and entry; returns the blob keys no revision references any more. */
  deleteFile(fileId: number): Promise<{ blobKeys: string[] }>;
  /**
   * docs/decisions.md 82: adds to the target a revision sharing the source's current revision's
   * blob and facts (uploaded by `uploadUserId` at `uploadedAt`) and makes it current; both files
   * locked. FILE_NOT_FOUND if either is gone.
   */
  copyCurrentRevision(input: { sourceFileId: number; targetFileId: number; uploadUserId: number; uploadedAt: number }): Promise<RevisionRecord>;
  /**
   * docs/decisions.md 82: a new file owned by `ownerId` with the source's name, description and
   * current revision's blob and facts; private, with the owner's entry only. FILE_NOT_FOUND if the
   * source is gone.
   */
  duplicateFile(input: { sourceFileId: number; ownerId: number; createdAt: number }): Promise<FileWithRevision>;
  /** Changes a file's description and/or public flag (undefined: unchanged). FILE_NOT_FOUND if gone. */
  updateFileMetadata(input: { fileId: number; description?: string; publicAccess?: boolean }): Promise<FileRecord>;
  setScanState(input: { revisionId: number; scanState: ScanState }): Promise<void>;
  /**
   * Which of `blobKeys` some revision names (for sweeping unreferenced blobs): one question for a
   * whole batch of the sweep's listing (docs/decisions.md 183).
   */
  referencedBlobKeys(blobKeys: readonly string[]): Promise<Set<string>>;
}

export interface PermissionStore {
  getPermissions(fileId: number): Promise<Permissions>;
  /** Replaces the public flag and every entry at once. FILE_NOT_FOUND if the file is gone. */
  replacePermissions(fileId: number, permissions: Permissions): Promise<void>;
  /** The entries that apply to a user directly or through its groups. */
  entriesFor(input: { fileId: number; userId: number; groupIds: readonly number[] }): Promise<PermissionEntry[]>;
}

export interface SessionStore {
  /**
   * With `maxOpenPerOwner`, TOO_MANY_SESSIONS when the owner already holds that many open sessions
   * (countOpenSessions at the session's createdAt), checked and inserted atomically: servers
   * creating sessions for one user at once never take it past the cap (docs/decisions.md 42).
   */
  createSession(session: UploadSessionRecord, options?: { maxOpenPerOwner?: number }): Promise<void>;
  /** The owner's sessions that still hold parts and may take more: OPEN and not expired at `now`, or COMMITTING. */
  countOpenSessions(input: { ownerId: number; now: number }): Promise<number>;
  getSession(id: string): Promise<UploadSessionRecord | undefined>;
  /**
   * Moves a session from one state to another only if it is in `from` (compare-and-set, so two
   * concurrent commits cannot both win). Returns the updated record, or undefined if the state
   * was not `from`. `partsReleased` is recorded in the same change (a commit that consumed the
   * staged upload).
   */
  transitionSession(input: {
    id: string;
    from: SessionState;
    to: SessionState;
    at: number;
    committedFileId?: number;
    committedRevisionId?: number;
    partsReleased?: boolean;
    /** Only if the session's updatedAt is still this (not renewed since it was read). */
    unchangedSince?: number;
  }): Promise<UploadSessionRecord | undefined>;
  /**
   * Records (or replaces) a part and bumps the session's updatedAt/expiresAt, only while the
   * session is OPEN: otherwise SESSION_CLOSED, so that once a commit has moved it to COMMITTING its
   * parts are fixed (docs/decisions.md 50). Returns the part it replaced, if any.
   */
  putPart(input: { sessionId: string; part: SessionPart; expiresAt: number }): Promise<{ replaced?: SessionPart }>;
  listParts(sessionId: string): Promise<SessionPart[]>;
  /**
   * COMMITTING sessions whose updatedAt (renewed by a live committer's heartbeat) is before
   * `updatedBefore`: their committer died (docs/decisions.md 51). Oldest first.
   */
  listStaleCommits(input: { updatedBefore: number; limit: number }): Promise<UploadSessionRecord[]>;
  /**
   * Moves at most `limit` OPEN sessions whose expiresAt is before `now` to EXPIRED (updatedAt
   * `at`), soonest expired first, in one statement; answers them as they are now (EXPIRED, parts
   * not released), in that order. Their parts are the caller's to remove (docs/decisions.md 179).
   */
  expireSessions(input: { now: number; at: number; limit: number }): Promise<UploadSessionRecord[]>;
  /**
   * Records that a closed session's staged upload is gone from the blob store, so that the sweep
   * stops releasing it. Only a COMMITTED, ABORTED or EXPIRED session is marked; an OPEN or
   * COMMITTING one still holds its parts and is left unchanged (false). SESSION_NOT_FOUND if the
   * session does not exist.
   */
  markPartsReleased(id: string): Promise<boolean>;
  /** markPartsReleased for many sessions in one statement; unknown and unclosed ones are passed over. */
  markManyPartsReleased(ids: readonly string[]): Promise<void>;
  /**
   * ABORTED and EXPIRED sessions whose parts are not released and whose updatedAt (when they were
   * closed) is before `closedBefore`: oldest first, then by id, at most `limit`. With `after`,
   * only those that come after that session in this order, so that a sweep pages past the ones
   * it could not release.
   */
  listUnreleasedSessions(input: { closedBefore: number; limit: number; after?: { updatedAt: number; id: string } }): Promise<UploadSessionRecord[]>;
}

export interface MetadataStore {
  readonly principals: PrincipalStore;
  readonly files: FileStore;
  readonly permissions: PermissionStore;
  readonly sessions: SessionStore;
  /** Access management: token records, accounts, groups (issue 12). */
  readonly accounts: AccountStore;
  /** Security-relevant events (issue 12). */
  readonly audit: AuditStore;
  /** Revisions waiting for a virus scan, and scan verdicts (docs/decisions.md 85). */
  readonly scans: ScanQueueStore;
  /** What `datafiles verify` reads and marks (docs/decisions.md 105). */
  readonly verification: VerificationStore;
  /** Sign-in links' one-time codes (docs/decisions.md 114). */
  readonly signInCodes: SignInCodeStore;
  /** Cheap round trip, for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
