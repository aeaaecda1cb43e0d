// The VerificationStore port (src/core/ports/verificationStore.ts) over Kysely, for SQLite and
// PostgreSQL alike. Read-only but for markCorrupt; `datafiles verify` runs it beside a live server.
import type { Kysely } from 'kysely';
import type { VerificationStore } from '../../core/ports/verificationStore.js';
import type { MetadataDatabase } from './schema.js';

/** Bound on the keys of one `in (…)` list (SQLite allows 32,766 parameters; PostgreSQL 65,535). */
const IN_LIST_SIZE = 500;

function batches<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += IN_LIST_SIZE) result.push(items.slice(start, start + IN_LIST_SIZE));
  return result;
}

export function createVerificationStore(db: Kysely<MetadataDatabase>): VerificationStore {
  return {
    async totals() {
      const perBlob = db
        .selectFrom('revisions')
        .select(['blob_key', (eb) => eb.fn.max('size_bytes').as('size_bytes')])
        .groupBy('blob_key')
        .as('per_blob');
      const row = await db
        .selectFrom(perBlob)
        .select((eb) => [eb.fn.countAll().as('blobs'), eb.fn.coalesce(eb.fn.sum('size_bytes'), eb.lit(0)).as('bytes')])
        .executeTakeFirstOrThrow();
      return { blobs: Number(row.blobs), bytes: Number(row.bytes) };
    },
    async revisionsByBlob({ after, limit }) {
      let query = db.selectFrom('revisions').select(['id', 'file_id', 'blob_key', 'size_bytes', 'md5', 'sha256', 'corrupt_at']);
      if (after)
        query = query.where((eb) => eb.or([eb('blob_key', '>', after.blobKey), eb.and([eb('blob_key', '=', after.blobKey), eb('id', '>', after.id)])]));
      const rows = await query.orderBy('blob_key').orderBy('id').limit(limit).execute();
      return rows.map((row) => ({
        id: Number(row.id),
        fileId: Number(row.file_id),
        blobKey: row.blob_key,
        sizeBytes: Number(row.size_bytes),
        md5: row.md5,
        sha256: row.sha256,
        corruptAt: row.corrupt_at === null ? null : Number(row.corrupt_at),
      }));
    },
    async referencedBlobKeys(blobKeys) {
      const found = new Set<string>();
      for (const batch of batches([...new Set(blobKeys)])) {
        const rows = await db.selectFrom('revisions').select('blob_key').distinct().where('blob_key', 'in', batch).execute();
        for (const row of rows) found.add(row.blob_key);
      }
      return found;
    },
    async knownUploadIds(uploadIds) {
      const found = new Set<string>();
      for (const batch of batches([...new Set(uploadIds)])) {
        const rows = await db.selectFrom('upload_sessions').select('blob_upload_id').where('blob_upload_id', 'in', batch).execute();
        for (const row of rows) found.add(row.blob_upload_id);
      }
      return found;
    },
    async committingSessions({ updatedBefore, limit }) {
      // The index upload_sessions_state_updated (migration 008) finds these few.
      const rows = await db
        .selectFrom('upload_sessions')
        .select(['id', 'blob_upload_id', 'updated_at'])
        .where('state', '=', 'COMMITTING')
        .where('updated_at', '<', updatedBefore)
        .orderBy('updated_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ id: row.id, blobUploadId: row.blob_upload_id, updatedAt: Number(row.updated_at) }));
    },
    async markCorrupt({ revisionIds, at }) {
      for (const batch of batches(revisionIds)) {
        await db.updateTable('revisions').set({ corrupt_at: at }).where('id', 'in', batch).where('corrupt_at', 'is', null).execute();
      }
    },
  };
}
