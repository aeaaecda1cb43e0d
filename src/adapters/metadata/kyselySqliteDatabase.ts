// better-sqlite3 refuses to bind JS booleans ("SQLite3 can only bind numbers, strings, bigints,
// buffers, and null"), and SQLite has no boolean type anyway: it stores 0 and 1. This wraps the
// database handed to Kysely so that the shared queries can pass booleans on both dialects.
import type { Database } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

function bindable(parameters: ReadonlyArray<unknown>): unknown[] {
  return parameters.map((parameter) => (typeof parameter === 'boolean' ? Number(parameter) : parameter));
}

export function bindingBooleansAsIntegers(database: Database): SqliteDatabase {
  return {
    close: () => database.close(),
    prepare(sqlText) {
      const statement = database.prepare(sqlText);
      return {
        reader: statement.reader,
        all: (parameters) => statement.all(bindable(parameters)),
        run: (parameters) => statement.run(bindable(parameters)),
        iterate: (parameters) => statement.iterate(bindable(parameters)),
      };
    },
  };
}
