// The scan queue lives in the revisions table (docs/decisions.md 85): a PENDING revision is a job.
// Columns for its retries and lease, and for the verdict an admin may want to see (signature,
// reason, time, engine/database version). One file for both dialects, as 002 and 003: bigint is an
// integer on SQLite. Existing revisions keep NOT_SCANNED until a server with --clamd enqueues them.
import { sql, type Kysely, type Migration } from 'kysely';

const COLUMNS = [
  'scan_attempts integer not null default 0',
  'scan_due_at bigint',
  'scan_lease_owner text',
  'scan_lease_until bigint',
  'scan_signature text',
  'scan_reason text',
  'scanned_at bigint',
  'scan_engine text',
];

export const scanQueueMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const column of COLUMNS) await sql.raw(`alter table revisions add column ${column}`).execute(db);
    // Claims look for due PENDING revisions; the backfill for the oldest NOT_SCANNED ones.
    await sql`create index revisions_scan_queue on revisions (scan_state, scan_due_at, id)`.execute(db);
  },
};
