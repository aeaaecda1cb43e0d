// The audit log over Kysely (docs/decisions.md 66).
import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditKind } from '../../core/audit/model.js';
import type { AuditStore } from '../../core/ports/auditStore.js';
import type { AuditEventsTable, MetadataDatabase } from './schema.js';

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: Number(row.id),
    at: Number(row.at),
    kind: row.kind as AuditKind,
    actorId: row.actor_id === null ? null : Number(row.actor_id),
    actorName: row.actor_name,
    fileId: row.file_id === null ? null : Number(row.file_id),
    subject: row.subject,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

export function createAuditStore(db: Kysely<MetadataDatabase>): AuditStore {
  return {
    async append({ at, kind, actor, fileId, subject, details }) {
      const row = await db
        .insertInto('audit_events')
        .values({ at, kind, actor_id: actor.id, actor_name: actor.name, file_id: fileId ?? null, subject, details: JSON.stringify(details ?? {}) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEvent(row);
    },

    async list({ actor, fileId, kind, from, to, before, limit }) {
      let query = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit);
      if (actor !== undefined) query = query.where('actor_name', '=', actor);
      if (fileId !== undefined) query = query.where('file_id', '=', fileId);
      if (kind !== undefined) query = query.where('kind', '=', kind);
      if (from !== undefined) query = query.where('at', '>=', from);
      if (to !== undefined) query = query.where('at', '<', to);
      if (before !== undefined) query = query.where('id', '<', before);
      return (await query.execute()).map(toEvent);
    },

    async deleteOlderThan(before) {
      const result = await db.deleteFrom('audit_events').where('at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
