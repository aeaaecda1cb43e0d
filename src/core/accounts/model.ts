// Access management's vocabulary (issue 12): token records, scopes, accounts (a user with its
// disabled state) and the credential one request presents. docs/decisions.md 60-64.
import type { Group, User } from '../model.js';

export { SCOPES, scopeRank, isScope, type Scope, type TokenRecord } from './token.js';
import type { TokenRecord } from './token.js';

export interface Account extends User {
  /** When an admin disabled the user; null while enabled. */
  disabledAt: number | null;
}

/** What a token hash names: the token record, its owner and the owner's groups (ascending). */
export interface Credential {
  token: TokenRecord;
  user: Account;
  groupIds: number[];
  /** The user's own storage quota (null: none of its own), read in the same round trip. */
  quotaBytes: number | null;
}

export interface GroupSummary extends Group {
  memberCount: number;
}

export interface Usage {
  files: number;
  revisions: number;
  /** Bytes of every revision of the files the user owns. */
  bytes: number;
  /** Bytes staged in the user's open multipart sessions (they count against its quota too). */
  stagedBytes: number;
}
