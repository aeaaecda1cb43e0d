// The metadata port's audit log (issue 12, docs/decisions.md 66): append, query, expire.
import type { AuditEvent, AuditQuery, NewAuditEvent } from '../audit/model.js';

export interface AuditStore {
  append(event: NewAuditEvent & { at: number }): Promise<AuditEvent>;
  /** Newest first, at most query.limit. */
  list(query: AuditQuery): Promise<AuditEvent[]>;
  /** Removes events older than `before`; returns how many. */
  deleteOlderThan(before: number): Promise<number>;
}
