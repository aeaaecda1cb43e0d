// docs/decisions.md 106: `datafiles verify --repair` marks a revision whose stored bytes no longer
// match its size or hashes, so that a download of it answers REVISION_CORRUPT instead of serving
// the wrong bytes silently. corrupt_at is when it was found (epoch milliseconds), null for a
// revision never found corrupt. One file for both dialects (bigint is an INTEGER in SQLite).
import { sql, type Kysely, type Migration } from 'kysely';

export const revisionCorruptMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table revisions add column corrupt_at bigint`.execute(db);
  },
};
