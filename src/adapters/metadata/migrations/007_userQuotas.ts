// Per-user storage quotas (issue 12, docs/decisions.md 67): null uses the instance default.
import { sql, type Kysely, type Migration } from 'kysely';

const INTEGER = { sqlite: 'integer', postgres: 'bigint' };

export function userQuotasMigration(dialect: keyof typeof INTEGER): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql.raw(`alter table users add column quota_bytes ${INTEGER[dialect]}`).execute(db);
    },
  };
}
