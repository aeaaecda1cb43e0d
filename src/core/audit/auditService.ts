// The audit log (issue 12, docs/decisions.md 66): each security-relevant event becomes a row in
// the metadata store and a log line. Recording never fails the operation it describes (that has
// happened already): a failed write is logged as an error instead.
import { DomainError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import { AUDIT_KINDS, type AuditEvent, type AuditKind, type AuditQuery, type NewAuditEvent } from './model.js';

export interface AuditLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Bounds the memory of recently recorded repeated events (one key per token or address). */
const MAX_REMEMBERED = 10_000;
export const MAX_AUDIT_PAGE = 1000;

export function isAuditKind(value: unknown): value is AuditKind {
  return typeof value === 'string' && (AUDIT_KINDS as readonly string[]).includes(value);
}

export class AuditService {
  private readonly lastRecorded = new Map<string, number>();

  constructor(private readonly deps: { metadata: MetadataStore; clock: Clock; log?: AuditLog; retentionMs?: number }) {}

  async record(event: NewAuditEvent): Promise<void> {
    try {
      const stored = await this.deps.metadata.audit.append({ ...event, at: this.deps.clock.now() });
      this.deps.log?.info({ audit: stored }, `audit: ${stored.kind} by ${stored.actorName} on ${stored.subject}`);
    } catch (error) {
      this.deps.log?.error({ err: error, audit: event }, `audit: recording ${event.kind} failed`);
    }
  }

  /** Records `event` unless one with the same key was recorded in the last `intervalMs` (repeated failures). */
  recordAtMostEvery(key: string, intervalMs: number, event: NewAuditEvent): void {
    const now = this.deps.clock.now();
    const last = this.lastRecorded.get(key);
    if (last !== undefined && now - last < intervalMs) return;
    if (this.lastRecorded.size >= MAX_REMEMBERED) this.lastRecorded.clear();
    this.lastRecorded.set(key, now);
    void this.record(event);
  }

  async list(query: Partial<AuditQuery>): Promise<AuditEvent[]> {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE)
      throw new DomainError('BAD_REQUEST', `limit is an integer from 1 to ${MAX_AUDIT_PAGE}.`);
    if (query.kind !== undefined && !isAuditKind(query.kind)) throw new DomainError('BAD_REQUEST', `kind is one of ${AUDIT_KINDS.join(', ')}.`);
    return this.deps.metadata.audit.list({ ...query, limit });
  }

  /** Removes events past the retention (the server runs this hourly); returns how many. */
  async expire(): Promise<number> {
    if (this.deps.retentionMs === undefined) return 0;
    return this.deps.metadata.audit.deleteOlderThan(this.deps.clock.now() - this.deps.retentionMs);
  }
}
