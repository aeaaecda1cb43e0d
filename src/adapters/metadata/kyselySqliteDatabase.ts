// The better-sqlite3 database as Kysely's SQLite dialect sees it, with three adjustments.
//
// 1. Booleans. better-sqlite3 refuses to bind them ("SQLite3 can only bind numbers, strings,
//    bigints, buffers, and null"), and SQLite has no boolean type anyway: it stores 0 and 1. Binding
//    them as 0/1 here lets the shared queries pass booleans on both dialects.
// 2. Rows. better-sqlite3 builds each row object property by property in native code, which is
//    the dominant cost of a large result (listing 10,000 files). Fetching rows as arrays and
//    naming their values in JS builds the same objects in about half the time. Later columns
//    overwrite earlier ones of the same name, exactly as better-sqlite3's own objects do.
// 3. Prepared statements are kept. Kysely asks for a new statement for every query it runs, and
//    compiling the SQL was the largest single cost of a small request (docs/history.md, issue 6: a third of the
//    CPU of `GET details`). The application's queries are a few hundred distinct texts (values are
//    bound, never inlined), so a bounded map keyed by the SQL text holds all of them.
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct statements kept; beyond it the least recently used one is dropped. */
export const STATEMENT_CACHE_SIZE = 1000;

export interface Prepared {
  statement: Statement;
  /** Column names of a statement that returns rows, looked up once. */
  names: string[] | undefined;
}

function bindable(parameters: ReadonlyArray<unknown>): unknown[] {
  return parameters.map((parameter) => (typeof parameter === 'boolean' ? Number(parameter) : parameter));
}

function allAsObjects(prepared: Prepared, parameters: unknown[]): Record<string, unknown>[] {
  const names = (prepared.names ??= prepared.statement.columns().map((column) => column.name));
  const rows = prepared.statement.raw(true).all(parameters) as unknown[][];
  const objects = new Array<Record<string, unknown>>(rows.length);
  for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
    const values = rows[rowIndex];
    const row: Record<string, unknown> = {};
    for (let index = 0; index < names.length; index++) row[names[index]] = values[index];
    objects[rowIndex] = row;
  }
  return objects;
}

/** The prepared statements of one database, by SQL text (see 3. above). */
export interface StatementCache {
  prepare(sqlText: string): Prepared;
  clear(): void;
}

export function statementCache(database: Database): StatementCache {
  // A Map iterates in insertion order; re-inserting on use makes its first key the least recent.
  const cache = new Map<string, Prepared>();
  return {
    prepare(sqlText) {
      let prepared = cache.get(sqlText);
      if (prepared) {
        cache.delete(sqlText);
      } else {
        prepared = { statement: database.prepare(sqlText), names: undefined };
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sqlText, prepared);
      return prepared;
    },
    clear: () => cache.clear(),
  };
}

export function kyselySqliteDatabase(database: Database, statements: StatementCache = statementCache(database)): SqliteDatabase {
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sqlText) {
      const prepared = statements.prepare(sqlText);
      const { statement } = prepared;
      return {
        reader: statement.reader,
        // Kysely calls all() only for statements that return rows (reader), the only ones raw() accepts.
        all: (parameters) => allAsObjects(prepared, bindable(parameters)),
        run: (parameters) => statement.run(bindable(parameters)),
        // The same statement may have been left in raw mode by all().
        iterate: (parameters) => (statement.reader ? statement.raw(false) : statement).iterate(bindable(parameters)),
      };
    },
  };
}

/**
 * Runs a read at once, outside Kysely, unless a transaction is open on the connection (then
 * undefined: the caller goes through Kysely, which waits for it). Kysely serialises the one
 * connection behind a promise-based lock and builds a result per query; for the one-row lookups
 * of every request that was a fifth of their cost and most of their garbage (docs/history.md, issue 6). It is
 * safe because better-sqlite3 runs a statement synchronously: outside a transaction, nothing
 * else can be in progress on the connection while it runs.
 */
export function readNowUnlessInTransaction(
  database: Database,
  statements: StatementCache,
): (sqlText: string, parameters: readonly unknown[]) => Record<string, unknown>[] | undefined {
  return (sqlText, parameters) => (database.inTransaction ? undefined : allAsObjects(statements.prepare(sqlText), bindable(parameters)));
}
