// docs/decisions.md 50: a part is stored under a version chosen for each write, and the metadata
// store records which version holds the bytes it describes, so a commit assembles exactly the
// recorded parts even while a late write of the same index lands beside them. Parts recorded
// before this migration have no version (null): they live in the unversioned slot `part-<n>`.
//
// docs/decisions.md 51: the sweep looks for COMMITTING sessions whose committer died; an index
// finds those few among all sessions. One file for both dialects, as 002 and 003.
import { sql, type Kysely, type Migration } from 'kysely';

export const sessionPartVersionsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table upload_session_parts add column blob_version text`.execute(db);
    await sql`create index upload_sessions_state_updated on upload_sessions (state, updated_at)`.execute(db);
  },
};
