// Queries whose SQL text is built once, for the few that every request runs (who the token names,
// their groups, the file asked for).
//
// Kysely rebuilds the operation tree and recompiles the SQL of a query each time it runs; for a
// one-row lookup that costs several times what the database does (docs/history.md, issue 6: with the statement
// itself cached, building and compiling was still about half the CPU of `GET details`). Kysely
// has no prepared-query API, so this helper compiles the query once with marker values in place
// of the arguments and, on each call, binds the real arguments where the markers were. The SQL
// is still written with Kysely, typed against the schema and shared by both dialects.
import type { Compilable, Kysely } from 'kysely';
import type { MetadataDatabase } from './schema.js';

/** Runs a read now and returns its rows, or undefined when it cannot (the query then goes through Kysely). */
export type ReadNow = (sqlText: string, parameters: readonly unknown[]) => Record<string, unknown>[] | undefined;

/**
 * Set by the SQLite store for its Kysely instance (see readNowUnlessInTransaction), before it
 * builds its queries: each query looks it up once, when it is compiled.
 */
const directReaders = new WeakMap<Kysely<MetadataDatabase>, ReadNow>();

export function readDirectlyWhenPossible(db: Kysely<MetadataDatabase>, readNow: ReadNow): void {
  directReaders.set(db, readNow);
}

/** The arguments must be used as bound values (never as identifiers, lists or SQL fragments). */
export function precompiledQuery<Args extends readonly unknown[], Row>(
  db: Kysely<MetadataDatabase>,
  build: (...args: Args) => Compilable<Row>,
  arity: Args['length'],
): (...args: Args) => Promise<Row[]> {
  // Objects, so that no constant of the query can be mistaken for one of them.
  const markers = Array.from({ length: arity }, (_unused, index) => ({ argument: index }));
  const compiled = build(...(markers as unknown as Args)).compile();
  const sources = compiled.parameters.map((parameter) => markers.indexOf(parameter as { argument: number }));
  markers.forEach((_marker, index) => {
    if (!sources.includes(index)) throw new Error(`precompiledQuery: argument ${index} is not bound as a value in: ${compiled.sql}`);
  });
  const readNow = directReaders.get(db);
  return async (...args) => {
    const parameters = compiled.parameters.map((constant, index) => (sources[index] >= 0 ? args[sources[index]] : constant));
    const rows = readNow?.(compiled.sql, parameters);
    if (rows) return rows as Row[];
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}
