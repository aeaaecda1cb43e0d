// A token's scope and record (issue 12), apart from the rest of access management's vocabulary
// so that the core model (model.ts, a Caller's token) can name them without an import circle.

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
