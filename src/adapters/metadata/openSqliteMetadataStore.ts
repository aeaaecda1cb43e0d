// The embedded default: the metadata store in one SQLite file (better-sqlite3).
//
// The server and admin CLI commands open the same file at the same time, hence WAL (readers do
// not block the writer), a busy timeout (a writer waits for the other process instead of failing)
// and BEGIN IMMEDIATE transactions (see immediateTransactionSqliteDialect.ts).
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MetadataStore } from '../../core/ports/metadataStore.js';
import { ensureOwnerOnlyFile, OWNER_ONLY_DIRECTORY_MODE, tightenToOwnerOnly } from '../ownerOnly.js';
import { ImmediateTransactionSqliteDialect } from './immediateTransactionSqliteDialect.js';
import { kyselySqliteDatabase, readNowUnlessInTransaction, statementCache } from './kyselySqliteDatabase.js';
import { readDirectlyWhenPossible } from './precompiledQuery.js';
import { createKyselyMetadataStore } from './kyselyMetadataStore.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import { MIGRATION_TABLE, MissingDatabaseError } from './missingDatabase.js';
import { DEFAULT_MIGRATION_TABLE, migrateToLatest } from './migrations/runMigrations.js';
import type { MetadataDatabase } from './schema.js';
import { sqliteDialect } from './sqliteDialect.js';
import { databaseErrorTranslator } from './translateErrors.js';

/** How long a writer waits for another process's write lock before giving up (SQLITE_BUSY). */
const BUSY_TIMEOUT_MS = 5000;

export interface SqliteMetadataStoreOptions {
  /** A file path (its directory is created if missing), or ':memory:' for a private database. */
  path: string;
  /**
   * false: open only a database that exists and holds datafiles' tables, else throw
   * MissingDatabaseError (docs/decisions.md 47: the admin commands). Default true.
   */
  create?: boolean;
}

/** The files SQLite keeps beside the database (journal_mode WAL, and DELETE while switching). */
const SIDE_FILES = ['-wal', '-shm', '-journal'];

export async function openSqliteMetadataStore({ path, create = true }: SqliteMetadataStoreOptions): Promise<MetadataStore> {
  const translate = databaseErrorTranslator(sqliteDialect);
  const inMemory = path === ':memory:' || path === '';
  let database: BetterSqlite3.Database | undefined;
  try {
    if (!inMemory && create) {
      // docs/decisions.md 45: owner-only. SQLite gives its -wal, -shm and -journal files the
      // mode of the database file, so creating that one 0600 covers them; files left by a version
      // before that decision are tightened here.
      mkdirSync(dirname(path), { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
      ensureOwnerOnlyFile(path);
      for (const suffix of SIDE_FILES) tightenToOwnerOnly(`${path}${suffix}`);
    }
    if (!create && !inMemory) assertExists(path);
    // `timeout` is SQLite's busy_timeout, set at open so that it already covers the pragmas below
    // (switching to WAL needs a moment of exclusive access).
    database = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS, fileMustExist: !create && !inMemory });
    if (!create && !database.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(MIGRATION_TABLE)) {
      throw new MissingDatabaseError(`${path} holds no datafiles tables`);
    }
    await switchToWal(database);
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
 * `PRAGMA journal_mode = WAL` needs an exclusive lock. While another process that is opening the
 * same new file holds a shared one, SQLite answers SQLITE_BUSY at once instead of calling its busy
 * handler (waiting there could deadlock the two), so busy_timeout does not cover it: the switch is
 * retried here, every 10 ms, for at most BUSY_TIMEOUT_MS (counted in the waits, not read from a
 * clock). Seen as a rare "database is locked" when several processes open a fresh file at once.
 */
async function switchToWal(database: BetterSqlite3.Database): Promise<void> {
  const waitMs = 10;
  for (let waited = 0; ; waited += waitMs) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || waited >= BUSY_TIMEOUT_MS) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** MissingDatabaseError if nothing is there; any other failure (EACCES: another user's) as it is. */
function assertExists(path: string): void {
  try {
    statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MissingDatabaseError(`${path} does not exist`, { cause: error });
    throw error;
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
          (await sql<{ found: number }>`select count(*) as found from sqlite_master where type = 'table' and name = ${DEFAULT_MIGRATION_TABLE}`.execute(db))
            .rows[0].found > 0,
      });
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}
