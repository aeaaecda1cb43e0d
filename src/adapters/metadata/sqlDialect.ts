// What the shared queries need to know about the database underneath: whether it takes row locks
// and how to recognise its errors. Everything else is the same Kysely query on both dialects.
import type { SelectQueryBuilder } from 'kysely';

export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * PostgreSQL takes row locks (SELECT … FOR UPDATE). SQLite has no row locks and needs none: our
   * transactions start with BEGIN IMMEDIATE, which holds the database's single write lock until
   * commit.
   */
  readonly supportsRowLocks: boolean;
  isUniqueViolation(error: unknown): boolean;
  isForeignKeyViolation(error: unknown): boolean;
  /** The database cannot be reached or cannot serve us now (answered as DEPENDENCY_UNAVAILABLE). */
  isUnavailable(error: unknown): boolean;
}

/** Locks the selected rows until the transaction ends, where the dialect has row locks. */
export function forUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, dialect: SqlDialect): SelectQueryBuilder<DB, TB, O> {
  return dialect.supportsRowLocks ? query.forUpdate() : query;
}

/** The `code` property drivers put on their errors (SQLSTATE, errno name or SQLITE_* code). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
