// Parts no longer carry an MD5 of their own (docs/history.md, issue 6). Nothing ever read it: the file's MD5 is
// that of the assembled bytes (docs/decisions.md 23), and a part's version is named by its SHA-256.
// Computing it cost as much CPU as everything else a part upload does. Plain SQL that SQLite
// (3.35+) and PostgreSQL both accept, hence one migration for both.
import { sql, type Kysely, type Migration } from 'kysely';

export const partMd5DroppedMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table upload_session_parts drop column md5`.execute(db);
  },
};
