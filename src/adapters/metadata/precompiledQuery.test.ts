// Queries compiled once and statements prepared once (docs/history.md, issue 6) must behave exactly like the
// queries Kysely builds afresh: the right rows for each call's arguments, the query's own
// constants kept, and a statement reused by every kind of call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { kyselySqliteDatabase, readNowUnlessInTransaction, STATEMENT_CACHE_SIZE, statementCache } from './kyselySqliteDatabase.js';
import { precompiledQuery, readDirectlyWhenPossible } from './precompiledQuery.js';
import type { MetadataDatabase } from './schema.js';
import { waitFor } from '../../../test/support/waitFor.js';

describe('SQLite queries compiled and prepared once', () => {
  let raw: BetterSqlite3.Database;
  let db: Kysely<MetadataDatabase>;

  before(async () => {
    raw = new BetterSqlite3(':memory:');
    const statements = statementCache(raw);
    db = new Kysely<MetadataDatabase>({ dialect: new SqliteDialect({ database: kyselySqliteDatabase(raw, statements) }) });
    // As the SQLite store does: precompiled reads run at once when no transaction is open.
    readDirectlyWhenPossible(db, readNowUnlessInTransaction(raw, statements));
    await sql`create table users (id integer primary key, name text not null, is_admin integer not null, created_at integer not null)`.execute(db);
    for (const [id, name, isAdmin] of [
      [1, 'ada', 1],
      [2, 'bob', 0],
      [3, 'cy', 0],
    ] as const) {
      await db
        .insertInto('users')
        .values({ id, name, is_admin: isAdmin === 1, created_at: 1000 + id })
        .execute();
    }
  });

  after(() => db.destroy());

  it('binds each call’s arguments where the markers were and keeps the query’s constants', async () => {
    const byNameUnlessAdmin = precompiledQuery(
      db,
      (name: string) => db.selectFrom('users').select(['id', 'name']).where('name', '=', name).where('is_admin', '=', false),
      1,
    );
    assert.deepEqual(await byNameUnlessAdmin('bob'), [{ id: 2, name: 'bob' }]);
    assert.deepEqual(await byNameUnlessAdmin('cy'), [{ id: 3, name: 'cy' }]);
    assert.deepEqual(await byNameUnlessAdmin('ada'), [], 'the constant is_admin = false still applies');
    assert.deepEqual(await byNameUnlessAdmin('nobody'), []);
  });

  it('binds several arguments in the order the query uses them, not the order they are given', async () => {
    const between = precompiledQuery(
      db,
      (high: number, low: number) => db.selectFrom('users').select('id').where('id', '>=', low).where('id', '<=', high).orderBy('id'),
      2,
    );
    assert.deepEqual(await between(3, 2), [{ id: 2 }, { id: 3 }]);
    assert.deepEqual(await between(1, 1), [{ id: 1 }]);
  });

  it('never reads inside an open transaction: it waits for it, and sees only what was committed', async () => {
    const byId = precompiledQuery(db, (id: number) => db.selectFrom('users').select('name').where('id', '=', id), 1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ id: 9, name: 'uncommitted', is_admin: false, created_at: 9 }).execute();
      await gate;
      throw new Error('rolled back');
    });
    await waitFor(() => raw.inTransaction, { what: 'the transaction to begin' });
    let settled = false;
    const reading = byId(9).finally(() => (settled = true));
    // A fixed wait on purpose: it shows that something does not happen (the read stays pending).
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(settled, false, 'the read waits for the transaction');
    release();
    await assert.rejects(transaction, /rolled back/);
    assert.deepEqual(await reading, [], 'the rolled-back row is never seen');
    assert.deepEqual(await byId(2), [{ name: 'bob' }], 'and reads run at once again afterwards');
  });

  it('refuses a query that does not bind an argument as a value', () => {
    assert.throws(() => precompiledQuery(db, (_unused: number) => db.selectFrom('users').select('id'), 1), /argument 0 is not bound/);
  });

  it('reuses a statement for rows as objects, for streamed rows and for writes', async () => {
    const query = () => db.selectFrom('users').select(['id', 'name']).where('id', '<=', 2).orderBy('id');
    assert.deepEqual(await query().execute(), [
      { id: 1, name: 'ada' },
      { id: 2, name: 'bob' },
    ]);
    // The same SQL text, streamed after all() fetched it as arrays: still objects.
    const streamed = [];
    for await (const row of query().stream()) streamed.push(row);
    assert.deepEqual(streamed, [
      { id: 1, name: 'ada' },
      { id: 2, name: 'bob' },
    ]);
    assert.deepEqual(await query().execute(), [
      { id: 1, name: 'ada' },
      { id: 2, name: 'bob' },
    ]);
    const rename = (name: string) => db.updateTable('users').set({ name }).where('id', '=', 3).executeTakeFirst();
    assert.equal((await rename('cyd')).numUpdatedRows, 1n);
    assert.equal((await rename('cy')).numUpdatedRows, 1n);
  });

  it('keeps at most STATEMENT_CACHE_SIZE statements, and still answers every query beyond them', async () => {
    for (let index = 0; index < STATEMENT_CACHE_SIZE + 50; index++) {
      const rows = await sql<{ n: number }>`select ${sql.lit(index)} as n`.execute(db);
      assert.deepEqual(rows.rows, [{ n: index }]);
    }
    // The earliest texts were evicted; running one again prepares it anew.
    assert.deepEqual((await sql<{ n: number }>`select ${sql.lit(0)} as n`.execute(db)).rows, [{ n: 0 }]);
  });
});
