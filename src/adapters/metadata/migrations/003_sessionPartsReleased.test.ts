// Upgrading a database made before migration 003: COMMITTED sessions count as released (their
// commit consumed the parts), ABORTED and EXPIRED ones do not (the sweep releases them once more),
// OPEN ones still hold theirs. On both dialects, from a database migrated only through 002.
//
// The PostgreSQL half needs a server, like postgres.test.ts: DATAFILES_TEST_POSTGRES_URL, default
// postgres://postgres@127.0.0.1:5432/test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { T0 } from '../contract/support.js';
import { openPostgresMetadataStore } from '../openPostgresMetadataStore.js';
import { openSqliteMetadataStore } from '../openSqliteMetadataStore.js';
import { postgresMigrations } from './postgres/index.js';
import { migrateToLatest } from './runMigrations.js';
import { sqliteMigrations } from './sqlite/index.js';

const connectionString = process.env.DATAFILES_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SESSION_STATES = ['ABORTED', 'COMMITTED', 'EXPIRED', 'OPEN'] as const;

function migrationsThrough002(migrations: Record<string, Migration>): Record<string, Migration> {
  return Object.fromEntries(Object.entries(migrations).filter(([name]) => name <= '002_part_md5_dropped'));
}

/** One user and a session in each state, written with SQL that both dialects accept. */
async function addSessionsBefore003(db: Kysely<any>): Promise<void> {
  await sql`insert into users (name, is_admin, created_at) values ('ada', false, ${T0})`.execute(db);
  const { rows } = await sql<{ id: number }>`select id from users where name = 'ada'`.execute(db);
  for (const state of SESSION_STATES) {
    await sql`insert into upload_sessions (id, owner_id, name, description, content_type, state, blob_upload_id, created_at, updated_at, expires_at)
      values (${state.toLowerCase()}, ${rows[0].id}, 'big.bin', '', 'application/octet-stream', ${state}, ${`upload-${state}`}, ${T0}, ${T0}, ${T0 + 1000})`.execute(
      db,
    );
  }
}

async function assertUpgraded(store: MetadataStore): Promise<void> {
  const released = Object.fromEntries(
    await Promise.all(SESSION_STATES.map(async (state) => [state, (await store.sessions.getSession(state.toLowerCase()))?.partsReleased])),
  );
  assert.deepEqual(released, { ABORTED: false, COMMITTED: true, EXPIRED: false, OPEN: false });
  const unreleased = await store.sessions.listUnreleasedSessions({ closedBefore: T0 + 1, limit: 10 });
  assert.deepEqual(
    unreleased.map((session) => session.id),
    ['aborted', 'expired'],
    'the first sweep after the upgrade releases these',
  );
}

describe('migration 003: parts_released on existing sessions', () => {
  it('SQLite', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'datafiles-migration-'));
    const dbPath = path.join(directory, 'metadata.sqlite');
    try {
      const old = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(dbPath) }) });
      await migrateToLatest({ db: old, migrations: migrationsThrough002(sqliteMigrations) });
      await addSessionsBefore003(old);
      await old.destroy();

      const store = await openSqliteMetadataStore({ path: dbPath });
      try {
        await assertUpgraded(store);
      } finally {
        await store.close();
      }
      const raw = new BetterSqlite3(dbPath, { readonly: true });
      try {
        const column = (raw.pragma('table_info(upload_sessions)') as Array<{ name: string; type: string; notnull: number }>).find(
          (info) => info.name === 'parts_released',
        );
        assert.deepEqual(
          column && { type: column.type.toLowerCase(), notnull: column.notnull },
          { type: 'integer', notnull: 1 },
          'a 0/1 integer, as every SQLite boolean here',
        );
      } finally {
        raw.close();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('PostgreSQL', async () => {
    const schema = `t_${randomBytes(8).toString('hex')}`;
    const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 5000, options: `-c search_path=${schema}` });
    const old = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    try {
      await old.schema.createSchema(schema).execute();
      await migrateToLatest({ db: old, migrations: migrationsThrough002(postgresMigrations), migrationTableSchema: schema });
      await addSessionsBefore003(old);

      const store = await openPostgresMetadataStore({ connectionString, schema });
      try {
        await assertUpgraded(store);
      } finally {
        await store.close();
      }
      const { rows } = await sql<{ data_type: string; is_nullable: string }>`
        select data_type, is_nullable from information_schema.columns
        where table_schema = ${schema} and table_name = 'upload_sessions' and column_name = 'parts_released'`.execute(old);
      assert.deepEqual(rows, [{ data_type: 'boolean', is_nullable: 'NO' }], 'a real boolean, as every PostgreSQL boolean here');
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(old).catch(() => undefined);
      await old.destroy();
    }
  });
});
