import { Kysely, SqliteDialect, PostgresDialect, sql } from 'kysely';
import Database from 'better-sqlite3';
import pg from 'pg';
import { readableFilesQuery } from '../../../src/adapters/metadata/fileQueries.ts';
import { kyselySqliteDatabase } from '../../../src/adapters/metadata/kyselySqliteDatabase.ts';
const filters = {
  page: { userId: 5002, groupIds: [3, 15, 27], isAdmin: false, ownedOnly: false, limit: 100 },
  pageAfter: { userId: 5002, groupIds: [3, 15, 27], isAdmin: false, ownedOnly: false, limit: 100, afterId: 500000 },
  all: { userId: 5002, groupIds: [3, 15, 27], isAdmin: false, ownedOnly: false },
  owned: { userId: 5002, groupIds: [3, 15, 27], isAdmin: false, ownedOnly: true, limit: 100 },
  ownerId: { userId: 5002, groupIds: [3, 15, 27], isAdmin: false, ownedOnly: false, ownerId: 77, limit: 100 },
  ids: { userId: 5002, groupIds: [3, 15, 27], isAdmin: false, ownedOnly: false, ids: [5, 500, 50000] },
  admin: { userId: 1, groupIds: [], isAdmin: true, ownedOnly: false, limit: 100, afterId: 900000 },
};
for (const [kind, db] of [['sqlite', new Kysely<any>({ dialect: new SqliteDialect({ database: kyselySqliteDatabase(new Database('/tmp/scale-dev/scale-sqlite-1000000-tmHaaZ/datafiles.sqlite')) }) })], ['pg', new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/datafiles_scale_1000000_9213' }) }) })]] as const) {
  for (const [name, f] of Object.entries(filters)) {
    const q = readableFilesQuery(db, f as any).compile();
    const t = Date.now();
    const { rows } = await db.executeQuery(q);
    const ms = Date.now() - t;
    const plan = await db.executeQuery({ ...q, sql: (kind === 'sqlite' ? 'explain query plan ' : 'explain ') + q.sql });
    console.log('==', kind, name, rows.length, 'rows', ms, 'ms');
    console.log(plan.rows.map((r: any) => r.detail ?? r['QUERY PLAN']).join('\n'));
  }
  await db.destroy();
}
