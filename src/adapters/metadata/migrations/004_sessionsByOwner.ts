// docs/decisions.md 42: creating a session counts the owner's open ones (the per-user cap), so
// that count must not scan every session ever made. One file for both dialects, as 002 and 003.
import { sql, type Kysely, type Migration } from 'kysely';

export const sessionsByOwnerMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create index upload_sessions_by_owner on upload_sessions (owner_id, state)`.execute(db);
  },
};
