// Access management's vocabulary (issue 12): token records, scopes, accounts (a user with its
// disabled state) and the credential one request presents. docs/decisions.md 60-64.
import type { Group, User } from '../model.js';

/** docs/decisions.md 61: each scope includes the ones before it. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function scopeRank(scope: Scope): number {
  return SCOPES.indexOf(scope);
}

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** The record of a token; its secret is never stored (only its SHA-256), never listed. */
export interface TokenRecord {
  id: number;
  userId: number;
  label: string;
  scope: Scope;
  createdAt: number;
  /** null: never expires (admins only, docs/decisions.md 62; and tokens made before records). */
  expiresAt: number | null;
  /** Written at most once a minute per token (docs/decisions.md 63). */
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface Account extends User {
  /** When an admin disabled the user; null while enabled. */
  disabledAt: number | null;
}

/** What a token hash names: the token record, its owner and the owner's groups (ascending). */
export interface Credential {
  token: TokenRecord;
  user: Account;
  groupIds: number[];
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
