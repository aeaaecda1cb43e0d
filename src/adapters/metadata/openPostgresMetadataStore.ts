// The scale-out metadata store: PostgreSQL through a pg pool, shared by several servers.
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { MetadataStore } from '../../core/ports/metadataStore.js';
import { createKyselyMetadataStore } from './kyselyMetadataStore.js';
import { postgresMigrations } from './migrations/postgres/index.js';
import { MIGRATION_TABLE, MissingDatabaseError } from './missingDatabase.js';
import { DEFAULT_MIGRATION_TABLE, migrateToLatest } from './migrations/runMigrations.js';
import { isPostgresQueryTimeout, postgresDialect } from './postgresDialect.js';
import type { MetadataDatabase } from './schema.js';
import { databaseErrorTranslator } from './translateErrors.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * How much longer than statement_timeout the client itself waits for an answer. The server's
 * statement_timeout only helps while the server runs: a database that accepts connections but
 * never answers (frozen, or cut off mid-query) would keep a request waiting forever. The margin
 * lets a live server's own cancellation arrive first.
 */
const QUERY_TIMEOUT_GRACE_MS = 500;

/** Lower-case, unquoted identifiers only, so the name means the same in search_path and DDL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const INT8_OID = 20;

export interface PostgresMetadataStoreOptions {
  connectionString: string;
  /** Keep every table in this schema (created if missing), e.g. a throwaway one per test. */
  schema?: string;
  /**
   * Server-side limit on each statement; off unless given. When given, the client also gives up
   * on a query QUERY_TIMEOUT_GRACE_MS after it, closing that connection.
   */
  statementTimeoutMs?: number;
  /** How long to wait for a new connection (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * false: refuse (MissingDatabaseError) a database or schema without datafiles' tables instead
   * of creating them (docs/decisions.md 47: the admin commands). Default true.
   */
  create?: boolean;
}

/**
 * Ids and epoch-millisecond timestamps are bigint columns, which pg returns as strings by
 * default. They fit a JS number (ids and milliseconds stay far below 2^53), so parse them so.
 * Set on this pool only, not globally through pg.types.
 */
const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A pg client that closes its connection when a query times out on the client side
 * (query_timeout). pg rejects such a query but keeps the connection waiting for the answer, and
 * the pool would hand that connection out again: after a network cut, every query later sent on
 * it would time out too, long after the database is reachable again. Closing it (end() on a
 * client with a query in flight destroys the socket at once) makes the pool drop it and open a
 * fresh one when needed.
 */
class ClientClosingOnQueryTimeout extends pg.Client {
  // One override for all of pg's query() overloads.
  override query(...args: any[]): any {
    const result: unknown = (super.query as (...queryArgs: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (isPostgresQueryTimeout(error)) this.end().catch(() => undefined);
      });
    }
    return result;
  }
}

export async function openPostgresMetadataStore(options: PostgresMetadataStoreOptions): Promise<MetadataStore> {
  const { connectionString, schema, statementTimeoutMs, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, create = true } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`schema must match ${SCHEMA_NAME}: ${JSON.stringify(schema)}`);
  }
  const pool = new pg.Pool({
    connectionString,
    connectionTimeoutMillis: connectTimeoutMs,
    ...(statementTimeoutMs !== undefined && { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + QUERY_TIMEOUT_GRACE_MS }),
    Client: ClientClosingOnQueryTimeout,
    // Sent in the startup packet, so every pooled connection has it before its first query.
    ...(schema !== undefined && { options: `-c search_path=${schema}` }),
    types: int8AsNumber,
  });
  // A connection that dies (server restart, network cut) emits 'error': on the pool while idle
  // (pg then drops it, and the next query opens a fresh one), on the client itself while checked
  // out. Kysely listens to neither, and an unheard 'error' event crashes Node. The query running
  // on a dying connection is rejected anyway, and that rejection is what callers see.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<MetadataDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateUnderAdvisoryLock(db, schema, create);
    return createKyselyMetadataStore(db, postgresDialect);
  } catch (error) {
    await db.destroy();
    throw databaseErrorTranslator(postgresDialect)(error);
  }
}

/**
 * Several servers may start at once against one database. A session-level advisory lock, keyed
 * by schema, makes them take turns: the first creates the schema and runs the migrations, the
 * others then find nothing to do. Everything runs on the one connection that holds the lock.
 */
async function migrateUnderAdvisoryLock(db: Kysely<MetadataDatabase>, schema: string | undefined, create: boolean): Promise<void> {
  const lockName = `datafiles.metadata.migrations:${schema ?? ''}`;
  await db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(hashtext(${lockName}))`.execute(connection);
    let failed = false;
    try {
      if (!create) await assertDatafilesTables(connection, schema);
      else if (schema !== undefined) await connection.schema.createSchema(schema).ifNotExists().execute();
      const migrationTableSchema = schema ?? (await currentSchema(connection));
      await migrateToLatest({
        db: connection,
        migrations: postgresMigrations,
        migrationTableSchema,
        migrationTableExists: async (db) =>
          (
            await sql<{
              found: boolean;
            }>`select to_regclass(format('%I.%I', ${migrationTableSchema}::text, ${DEFAULT_MIGRATION_TABLE}::text)) is not null as found`.execute(db)
          ).rows[0].found,
      });
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // If the connection broke, the server has already released the lock with the session; do
      // not let a failing unlock hide the error that broke it.
      await sql`select pg_advisory_unlock(hashtext(${lockName}))`.execute(connection).catch((unlockError: unknown) => {
        if (!failed) throw unlockError;
      });
    }
  });
}

/** MissingDatabaseError unless datafiles' migrations have run in the schema (docs/decisions.md 47). */
async function assertDatafilesTables(db: Kysely<MetadataDatabase>, schema: string | undefined): Promise<void> {
  const { rows } = await sql<{ schema: string | null; found: boolean }>`
    select coalesce(${schema ?? null}::text, current_schema()) as schema,
           exists (select 1 from information_schema.tables
                   where table_schema = coalesce(${schema ?? null}::text, current_schema()) and table_name = ${MIGRATION_TABLE}) as found`.execute(db);
  const row = rows[0];
  if (!row?.found) {
    const where = row?.schema ? `schema "${row.schema}"` : 'the schemas of its search_path';
    throw new MissingDatabaseError(`the database has no datafiles tables (looked in ${where})`);
  }
}

/**
 * The schema unqualified names resolve to. Passed to Kysely's migrator so that it looks for its
 * bookkeeping tables there only, not in any schema of the database.
 */
async function currentSchema(db: Kysely<MetadataDatabase>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('search_path names no existing schema; pass `schema` to create one');
  return schema;
}
