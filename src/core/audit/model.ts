// Security-relevant events (issue 12, docs/decisions.md 66): who did what to what, when.

/** Every kind recorded; a test checks that each operation writes its event. */
export const AUDIT_KINDS = [
  'token.created',
  'token.revoked',
  'token.expired_use',
  'token.revoked_use',
  'user.created',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'user.quota_set',
  'group.created',
  'group.renamed',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'permissions.changed',
  'file.deleted',
  'revision.deleted',
  'auth.failed_burst',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The operator at the command line, or a user through a token. */
export interface Actor {
  id: number | null;
  name: string;
}

export const OPERATOR: Actor = { id: null, name: 'operator (command line)' };

export interface NewAuditEvent {
  kind: AuditKind;
  actor: Actor;
  fileId?: number | null;
  /** What the event is about: `user:alice`, `token:7`, `group:ops`, `address:10.0.0.1`… */
  subject: string;
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  id: number;
  at: number;
  kind: AuditKind;
  actorId: number | null;
  actorName: string;
  fileId: number | null;
  subject: string;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  /** The actor's name (kept on the event, so a deleted user's events still name it). */
  actor?: string;
  fileId?: number;
  kind?: AuditKind;
  /** Inclusive, epoch milliseconds. */
  from?: number;
  /** Exclusive. */
  to?: number;
  /** Newest first; with `before`, only events with a smaller id (the next page). */
  before?: number;
  limit: number;
}
