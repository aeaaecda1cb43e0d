// A session remembers whether its staged parts are released (gone from the blob store). Closing a
// session is two steps: the compare-and-set that makes it ABORTED or EXPIRED, then abortUpload.
// A crash, or a blob store that fails, between the two used to leave the parts behind for good:
// the sweep only looked at OPEN sessions. It now also releases those of closed sessions not
// marked released (SessionService.sweepExpired).
//
// Existing rows: COMMITTED ones are released (the commit consumed their parts); ABORTED and
// EXPIRED ones are not, so the first sweep after the upgrade releases each once more (abortUpload
// is idempotent); OPEN and COMMITTING ones still hold their parts. One file for both dialects, as
// 002; only the boolean differs (0/1 integers on SQLite, real booleans on PostgreSQL, as in 001).
import { sql, type Kysely, type Migration } from 'kysely';

const BOOLEAN_COLUMN = {
  sqlite: { type: 'integer not null default 0 check (parts_released in (0, 1))', released: '1' },
  postgres: { type: 'boolean not null default false', released: 'true' },
};

export function sessionPartsReleasedMigration(dialect: keyof typeof BOOLEAN_COLUMN): Migration {
  const column = BOOLEAN_COLUMN[dialect];
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql.raw(`alter table upload_sessions add column parts_released ${column.type}`).execute(db);
      await sql.raw(`update upload_sessions set parts_released = ${column.released} where state = 'COMMITTED'`).execute(db);
      // The sweep asks for the few unreleased closed sessions among all the closed ones, every minute.
      await sql`create index upload_sessions_unreleased on upload_sessions (parts_released, state, updated_at)`.execute(db);
    },
  };
}
