// How SQLite (better-sqlite3) reports the errors the store cares about. better-sqlite3 throws
// SqliteError with an extended result code such as SQLITE_CONSTRAINT_UNIQUE.
import { errorCode, type SqlDialect } from './sqlDialect.js';

/**
 * Busy/locked after busy_timeout (another process held the write lock too long), or the file
 * cannot be opened, read or written: the database is there but cannot serve us now.
 */
const UNAVAILABLE_PREFIXES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_PROTOCOL'];

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  supportsRowLocks: false,
  isUniqueViolation(error) {
    const code = errorCode(error);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  isForeignKeyViolation(error) {
    return errorCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY';
  },
  isUnavailable(error) {
    const code = errorCode(error);
    return code !== undefined && UNAVAILABLE_PREFIXES.some((prefix) => code.startsWith(prefix));
  },
};
