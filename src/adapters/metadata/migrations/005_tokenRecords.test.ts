// Upgrading to token records (migration 005, issue 12): tokens issued before keep working, as
// admin-scoped records without expiry, labelled as such. SQLite from a data directory made by the
// release before (test/fixtures/data-dir-c4048e5, see its tokens.json); PostgreSQL from a schema
// migrated only through 003 with tokens written as that release wrote them.
//
// The PostgreSQL half needs a server, like postgres.test.ts: DATAFILES_TEST_POSTGRES_URL, default
// postgres://postgres@127.0.0.1:5432/test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Kysely, PostgresDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import { hashToken } from '../../../core/accounts/tokenFormat.js';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { T0 } from '../contract/support.js';
import { openPostgresMetadataStore } from '../openPostgresMetadataStore.js';
import { openSqliteMetadataStore } from '../openSqliteMetadataStore.js';
import { LEGACY_TOKEN_LABEL } from './005_tokenRecords.js';
import { postgresMigrations } from './postgres/index.js';
import { migrateToLatest } from './runMigrations.js';

const connectionString = process.env.DATAFILES_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/data-dir-c4048e5');

function migrationsThrough003(migrations: Record<string, Migration>): Record<string, Migration> {
  return Object.fromEntries(Object.entries(migrations).filter(([name]) => name <= '003_session_parts_released'));
}

/** Every old token is now a live admin-scoped record of its user, without expiry; new ones get ids after them. */
async function assertUpgraded(store: MetadataStore, tokens: Array<{ user: string; token: string }>): Promise<void> {
  const ids: number[] = [];
  for (const { user, token } of tokens) {
    const credential = await store.accounts.findCredential(hashToken(token));
    assert.ok(credential, `the token of ${user} still names its user`);
    assert.equal(credential.user.name, user);
    assert.equal(credential.user.disabledAt, null);
    assert.deepEqual(
      { ...credential.token, id: 0, createdAt: 0 },
      { id: 0, createdAt: 0, userId: credential.user.id, label: LEGACY_TOKEN_LABEL, scope: 'admin', expiresAt: null, lastUsedAt: null, revokedAt: null },
    );
    ids.push(credential.token.id);
  }
  assert.equal(new Set(ids).size, ids.length, 'each old token got an id of its own');
  const user = await store.principals.findUserByName(tokens[0].user);
  const added = await store.accounts.createToken({ userId: user!.id, tokenHash: 'NEW', label: 'new', scope: 'read', createdAt: T0, expiresAt: T0 + 1 });
  assert.ok(added.id > Math.max(...ids));
}

describe('migration 005: token records from tokens issued before', () => {
  it('SQLite, from a data directory made by c4048e5', async () => {
    const fixture = JSON.parse(await readFile(path.join(FIXTURE, 'tokens.json'), 'utf8'));
    const directory = await mkdtemp(path.join(tmpdir(), 'datafiles-migration-'));
    const dbPath = path.join(directory, 'datafiles.sqlite');
    await copyFile(path.join(FIXTURE, 'datafiles.sqlite'), dbPath);
    const store = await openSqliteMetadataStore({ path: dbPath });
    try {
      await assertUpgraded(store, [{ user: 'alice', token: fixture.alice.token }, ...fixture.bob.tokens.map((token: string) => ({ user: 'bob', token }))]);
      assert.equal((await store.files.getFile(1))?.ownerId, fixture.bob.id, 'files untouched');
      assert.deepEqual(
        (await store.accounts.groupsOfUser(fixture.bob.id)).map((group) => group.id),
        [1],
      );
    } finally {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('PostgreSQL, from a schema migrated through 003', async () => {
    const schema = `t_${randomBytes(8).toString('hex')}`;
    const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 5000, options: `-c search_path=${schema}` });
    const old = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    try {
      await old.schema.createSchema(schema).execute();
      await migrateToLatest({ db: old, migrations: migrationsThrough003(postgresMigrations), migrationTableSchema: schema });
      const tokens = [
        { user: 'ada', token: 'old-token-of-ada-0123456789abcdefghijklmnopq' },
        { user: 'ada', token: 'second-old-token-of-ada-0123456789abcdefghi' },
        { user: 'bob', token: 'old-token-of-bob-0123456789abcdefghijklmnopq' },
      ];
      for (const name of ['ada', 'bob']) await sql`insert into users (name, is_admin, created_at) values (${name}, false, ${T0})`.execute(old);
      for (const { user, token } of tokens) {
        await sql`insert into user_tokens (token_hash, user_id, created_at) select ${hashToken(token)}, id, ${T0} from users where name = ${user}`.execute(old);
      }
      const store = await openPostgresMetadataStore({ connectionString, schema });
      try {
        await assertUpgraded(store, tokens);
      } finally {
        await store.close();
      }
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(old).catch(() => undefined);
      await old.destroy();
    }
  });
});
