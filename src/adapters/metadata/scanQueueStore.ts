// The scan queue over Kysely (src/core/ports/scanQueue.ts, docs/decisions.md 85): PENDING
// revisions are the jobs. A claim selects due rows and leases them in one transaction; on
// PostgreSQL `FOR UPDATE SKIP LOCKED` lets many servers claim at once without waiting on or
// taking each other's rows; SQLite's BEGIN IMMEDIATE serialises claims (one server).
import { sql, type Kysely } from 'kysely';
import type { ScanState } from '../../core/model.js';
import type { ScanJob, ScanQueueStore, ScanRecord, ScanStats } from '../../core/ports/scanQueue.js';
import type { MetadataDatabase } from './schema.js';
import type { SqlDialect } from './sqlDialect.js';

const SCAN_STATES: readonly ScanState[] = ['NOT_SCANNED', 'PENDING', 'SAFE', 'INFECTED', 'FAILED'];

export function createScanQueueStore(db: Kysely<MetadataDatabase>, dialect: SqlDialect): ScanQueueStore {
  return {
    async enqueueUnscanned({ limit, dueAt }) {
      const oldest = db.selectFrom('revisions').select('id').where('scan_state', '=', 'NOT_SCANNED').orderBy('id').limit(limit);
      const result = await db
        .updateTable('revisions')
        .set({ scan_state: 'PENDING', scan_due_at: dueAt, scan_attempts: 0 })
        .where('id', 'in', oldest)
        .where('scan_state', '=', 'NOT_SCANNED')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async claim({ owner, now, leaseMs, limit }) {
      return db.transaction().execute(async (trx) => {
        let due = trx
          .selectFrom('revisions')
          .select('id')
          .where('scan_state', '=', 'PENDING')
          .where((eb) => eb.or([eb('scan_due_at', 'is', null), eb('scan_due_at', '<=', now)]))
          .where((eb) => eb.or([eb('scan_lease_until', 'is', null), eb('scan_lease_until', '<', now)]))
          // New uploads (no due time) first, then by due time, then newest first.
          .orderBy(sql`coalesce(scan_due_at, 0)`)
          .orderBy('id', 'desc')
          .limit(limit);
        if (dialect.supportsRowLocks) due = due.forUpdate().skipLocked();
        const ids = (await due.execute()).map((row) => row.id);
        if (ids.length === 0) return [];
        await trx
          .updateTable('revisions')
          .set({ scan_lease_owner: owner, scan_lease_until: now + leaseMs })
          .where('id', 'in', ids)
          .execute();
        const rows = await trx
          .selectFrom('revisions')
          .select(['id', 'file_id', 'blob_key', 'size_bytes', 'scan_attempts'])
          .where('id', 'in', ids)
          .orderBy('id')
          .execute();
        return rows.map((row): ScanJob => ({
          revisionId: row.id,
          fileId: row.file_id,
          blobKey: row.blob_key,
          sizeBytes: Number(row.size_bytes),
          attempts: Number(row.scan_attempts),
        }));
      });
    },

    async record({ revisionId, owner, verdict, at, engine }) {
      const result = await db
        .updateTable('revisions')
        .set({
          scan_state: verdict.scanState,
          scan_signature: verdict.scanState === 'INFECTED' ? verdict.signature : null,
          scan_reason: verdict.scanState === 'FAILED' ? verdict.reason : null,
          scanned_at: at,
          scan_engine: engine ?? null,
          scan_lease_owner: null,
          scan_lease_until: null,
          scan_due_at: null,
        })
        .where('id', '=', revisionId)
        .where('scan_state', '=', 'PENDING')
        .where('scan_lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async retry({ revisionId, owner, dueAt, reason, countAttempt }) {
      const result = await db
        .updateTable('revisions')
        .set((eb) => ({
          scan_attempts: countAttempt ? eb('scan_attempts', '+', 1) : eb.ref('scan_attempts'),
          scan_reason: reason,
          scan_due_at: dueAt,
          scan_lease_owner: null,
          scan_lease_until: null,
        }))
        .where('id', '=', revisionId)
        .where('scan_state', '=', 'PENDING')
        .where('scan_lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async rescan({ fileId, dueAt, limit }) {
      let newest = db
        .selectFrom('revisions')
        .select('id')
        .where('scan_state', 'in', ['SAFE', 'INFECTED', 'FAILED', 'NOT_SCANNED'])
        .orderBy('id', 'desc')
        .limit(limit);
      if (fileId !== undefined) newest = newest.where('file_id', '=', fileId);
      const result = await db
        .updateTable('revisions')
        .set({ scan_state: 'PENDING', scan_due_at: dueAt, scan_attempts: 0, scan_reason: null, scan_lease_owner: null, scan_lease_until: null })
        .where('id', 'in', newest)
        .where('scan_state', '!=', 'PENDING')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async rescanOutdated({ engine, dueAt, limit }) {
      const newest = db
        .selectFrom('revisions')
        .select('id')
        .where('scan_state', '=', 'SAFE')
        .where((eb) => eb.or([eb('scan_engine', 'is', null), eb('scan_engine', '!=', engine)]))
        .orderBy('id', 'desc')
        .limit(limit);
      const result = await db
        .updateTable('revisions')
        .set({ scan_state: 'PENDING', scan_due_at: dueAt, scan_attempts: 0, scan_reason: null, scan_lease_owner: null, scan_lease_until: null })
        .where('id', 'in', newest)
        .where('scan_state', '=', 'SAFE')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async getScan(revisionId) {
      const row = await db
        .selectFrom('revisions')
        .select(['id', 'file_id', 'scan_state', 'scan_signature', 'scan_reason', 'scanned_at', 'scan_engine', 'scan_attempts'])
        .where('id', '=', revisionId)
        .executeTakeFirst();
      if (!row) return undefined;
      const record: ScanRecord = { revisionId: row.id, fileId: row.file_id, scanState: row.scan_state, attempts: Number(row.scan_attempts) };
      if (row.scan_signature !== null) record.signature = row.scan_signature;
      if (row.scan_reason !== null) record.reason = row.scan_reason;
      if (row.scanned_at !== null) record.scannedAt = Number(row.scanned_at);
      if (row.scan_engine !== null) record.engine = row.scan_engine;
      return record;
    },

    async stats(now) {
      const counts = await db
        .selectFrom('revisions')
        .select(['scan_state', (eb) => eb.fn.countAll<number | string>().as('count')])
        .groupBy('scan_state')
        .execute();
      const byState = Object.fromEntries(SCAN_STATES.map((state) => [state, 0])) as Record<ScanState, number>;
      for (const row of counts) byState[row.scan_state] = Number(row.count);
      const queue = await db
        .selectFrom('revisions')
        .select([
          (eb) =>
            eb.fn
              .countAll<number | string>()
              .filterWhere((w) => w.or([w('scan_lease_until', 'is', null), w('scan_lease_until', '<', now)]))
              .as('due'),
          (eb) => eb.fn.countAll<number | string>().filterWhere('scan_lease_until', '>=', now).as('leased'),
        ])
        .where('scan_state', '=', 'PENDING')
        .executeTakeFirstOrThrow();
      const stats: ScanStats = { byState, due: Number(queue.due), leased: Number(queue.leased) };
      return stats;
    },
  };
}
