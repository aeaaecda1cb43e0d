// Writes straight into a running test server's metadata store, on whichever backend it runs
// (SQLite in its data directory, or its PostgreSQL database): for rows an older version could
// store and this one refuses, to check that what is already stored is still served safely.
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { SQLITE_FILE } from '../../src/server/openStores.js';
import type { TestServer } from './server.js';

/** Runs one statement written with `?` placeholders. */
export async function runSql(server: TestServer, sql: string, params: unknown[]): Promise<void> {
  const args = server.backend.args;
  const urlAt = args.indexOf('--database-url');
  if (urlAt < 0) {
    const database = new BetterSqlite3(path.join(server.dataDir, SQLITE_FILE));
    try {
      database.prepare(sql).run(...params);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: args[urlAt + 1] });
  await client.connect();
  try {
    let n = 0;
    await client.query(
      sql.replace(/\?/g, () => `$${++n}`),
      params,
    );
  } finally {
    await client.end();
  }
}
