// docs/decisions.md 151: the list of files a user may read includes every public file, read in id
// order a page at a time; without this index that range was a scan of every file. One file for
// both dialects, as 004.
import { sql, type Kysely, type Migration } from 'kysely';

export const publicFilesIndexMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create index files_public on files (public_access, id)`.execute(db);
  },
};
