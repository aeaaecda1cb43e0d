// The metadata port's part for access management (issue 12): token records, user accounts
// (disabled, deleted with their files transferred), groups' lifecycle, usage. Each method is
// atomic on its own, as every MetadataStore method (metadataStore.ts).
import type { Account, Credential, GroupSummary, Scope, TokenRecord, Usage } from '../accounts/model.js';
import type { Group, User } from '../model.js';

export interface AccountStore {
  /** USER_NOT_FOUND if the user does not exist. */
  createToken(input: { userId: number; tokenHash: string; label: string; scope: Scope; createdAt: number; expiresAt: number | null }): Promise<TokenRecord>;
  /** The token a hash names with its owner and the owner's groups, in one round trip (every request). Revoked and expired tokens are found too: the caller says which. */
  findCredential(tokenHash: string): Promise<Credential | undefined>;
  /** Sets lastUsedAt to `at` unless it is already at or after `notBefore` (one write a minute at most, whatever the number of servers). */
  touchToken(input: { id: number; at: number; notBefore: number }): Promise<void>;
  getToken(id: number): Promise<TokenRecord | undefined>;
  /** Every token of a user, or of every user; by id. Revoked ones included. */
  listTokens(input: { userId?: number }): Promise<TokenRecord[]>;
  /** Marks the token revoked (once: a second revoke keeps the first time). undefined if there is no such token. */
  revokeToken(input: { id: number; at: number }): Promise<TokenRecord | undefined>;
  /** Revokes every token of the user not yet revoked; returns how many. */
  revokeTokensOfUser(input: { userId: number; at: number }): Promise<number>;

  getAccount(id: number): Promise<Account | undefined>;
  findAccountByName(name: string): Promise<Account | undefined>;
  /** By name; with a prefix, only names starting with it (case-insensitive for ASCII). */
  listAccounts(input: { namePrefix?: string; limit: number; offset: number }): Promise<Account[]>;
  /** Disables (a time) or enables (null) the user. USER_NOT_FOUND if missing. */
  setDisabled(input: { userId: number; disabledAt: number | null }): Promise<Account>;
  /**
   * Deletes the user. Its files, revisions and upload sessions pass to `transferTo` (who gets the
   * owner's READ_WRITE_DELETE_SHARE_ADMIN entry on each file); its own entries on other files,
   * memberships and tokens go. Without `transferTo`, CONFLICT if the user owns a file, uploaded a
   * revision or has an upload session (never orphaned). USER_NOT_FOUND if either user is missing.
   */
  deleteUser(input: { userId: number; transferTo?: number }): Promise<{ filesTransferred: number }>;
  /** Files and revisions the user owns, their bytes, and the bytes staged in its OPEN or COMMITTING sessions. */
  usageOf(userId: number): Promise<Usage>;
  /** The user's own quota (null: the instance default). USER_NOT_FOUND if missing. */
  getQuota(userId: number): Promise<number | null>;
  setQuota(input: { userId: number; quotaBytes: number | null }): Promise<void>;

  groupsOfUser(userId: number): Promise<Group[]>;
  listGroups(input: { namePrefix?: string; limit: number; offset: number }): Promise<GroupSummary[]>;
  membersOf(groupId: number): Promise<User[]>;
  /** GROUP_NOT_FOUND, NAME_TAKEN. */
  renameGroup(input: { groupId: number; name: string }): Promise<Group>;
  /** Deletes the group, its memberships and every permission entry naming it. GROUP_NOT_FOUND if missing. */
  deleteGroup(groupId: number): Promise<void>;
  /** Idempotent; GROUP_NOT_FOUND / USER_NOT_FOUND if either is missing. */
  removeGroupMember(input: { groupId: number; userId: number }): Promise<void>;
}
