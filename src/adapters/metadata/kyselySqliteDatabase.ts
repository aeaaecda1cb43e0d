// The better-sqlite3 database as Kysely's SQLite dialect sees it, with two adjustments.
//
// 1. Booleans. better-sqlite3 refuses to bind them ("SQLite3 can only bind numbers, strings,
//    bigints, buffers, and null"), and SQLite has no boolean type anyway: it stores 0 and 1. Binding
//    them as 0/1 here lets the shared queries pass booleans on both dialects.
// 2. Rows. better-sqlite3 builds each row object property by property in native code, which is
//    the dominant cost of a large result (listing 10,000 files). Fetching rows as arrays and
//    naming their values in JS builds the same objects in about half the time. Later columns
//    overwrite earlier ones of the same name, exactly as better-sqlite3's own objects do.
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

function bindable(parameters: ReadonlyArray<unknown>): unknown[] {
  return parameters.map((parameter) => (typeof parameter === 'boolean' ? Number(parameter) : parameter));
}

function allAsObjects(statement: Statement, parameters: unknown[]): Record<string, unknown>[] {
  const names = statement.columns().map((column) => column.name);
  const rows = statement.raw(true).all(parameters) as unknown[][];
  return rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let index = 0; index < names.length; index++) row[names[index]] = values[index];
    return row;
  });
}

export function kyselySqliteDatabase(database: Database): SqliteDatabase {
  return {
    close: () => database.close(),
    prepare(sqlText) {
      const statement = database.prepare(sqlText);
      return {
        reader: statement.reader,
        // Kysely calls all() only for statements that return rows (reader), the only ones raw() accepts.
        all: (parameters) => allAsObjects(statement, bindable(parameters)),
        run: (parameters) => statement.run(bindable(parameters)),
        iterate: (parameters) => statement.iterate(bindable(parameters)),
      };
    },
  };
}
