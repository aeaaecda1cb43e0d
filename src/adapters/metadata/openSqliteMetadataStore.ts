// The embedded default: the metadata store in one SQLite file (better-sqlite3).
//
// The server and admin CLI commands open the same file at the same time, hence WAL (readers do
// not block the writer), a busy timeout (a writer waits for the other process instead of failing)
// and BEGIN IMMEDIATE transactions (see immediateTransactionSqliteDialect.ts).
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MetadataStore } from '../../core/ports/metadataStore.js';
import { ImmediateTransactionSqliteDialect } from './immediateTransactionSqliteDialect.js';
import { kyselySqliteDatabase, readNowUnlessInTransaction, statementCache } from './kyselySqliteDatabase.js';
import { readDirectlyWhenPossible } from './precompiledQuery.js';
import { createKyselyMetadataStore } from './kyselyMetadataStore.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import { DEFAULT_MIGRATION_TABLE, migrateToLatest } from './migrations/runMigrations.js';
import type { MetadataDatabase } from './schema.js';
import { sqliteDialect } from './sqliteDialect.js';
import { databaseErrorTranslator } from './translateErrors.js';

/** How long a writer waits for another process's write lock before giving up (SQLITE_BUSY). */
const BUSY_TIMEOUT_MS = 5000;

export interface SqliteMetadataStoreOptions {
  /** A file path (its directory is created if missing), or ':memory:' for a private database. */
  path: string;
}

export async function openSqliteMetadataStore({ path }: SqliteMetadataStoreOptions): Promise<MetadataStore> {
  const translate = databaseErrorTranslator(sqliteDialect);
  const inMemory = path === ':memory:' || path === '';
  let database: BetterSqlite3.Database | undefined;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    // `timeout` is SQLite's busy_timeout, set at open so that it already covers the pragmas below
    // (switching to WAL needs a moment of exclusive access).
    database = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS });
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    // FULL, not WAL's usual NORMAL: blobs are deleted right after a commit that unreferences
    // them, so that commit must survive a power cut, or a row could point at deleted bytes.
    database.pragma('synchronous = FULL');
    const statements = statementCache(database);
    const db = new Kysely<MetadataDatabase>({
      dialect: new ImmediateTransactionSqliteDialect({ database: kyselySqliteDatabase(database, statements) }),
    });
    await migrateUnderWriteLock(db);
    readDirectlyWhenPossible(db, readNowUnlessInTransaction(database, statements));
    return createKyselyMetadataStore(db, sqliteDialect);
  } catch (error) {
    database?.close();
    throw translate(error);
  }
}

/**
 * Kysely's SQLite migrator takes no lock of its own (it assumes one process); two processes
 * starting together would both try to create the tables. Holding the write lock (BEGIN
 * IMMEDIATE) for the whole run makes the second wait and then find nothing left to do.
 */
async function migrateUnderWriteLock(db: Kysely<MetadataDatabase>): Promise<void> {
  await db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      await migrateToLatest({
        db: connection,
        migrations: sqliteMigrations,
        migrationTableExists: async (db) =>
          (await sql<{ found: number }>`select count(*) as found from sqlite_master where type = 'table' and name = ${DEFAULT_MIGRATION_TABLE}`.execute(db)).rows[0].found > 0,
      });
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}
