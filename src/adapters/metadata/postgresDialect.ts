// How PostgreSQL (pg) reports the errors the store cares about: server errors carry a SQLSTATE in
// `code`, socket errors an errno name, and a few pg/pg-pool failures only a message.
import { errorCode, type SqlDialect } from './sqlDialect.js';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** Socket-level failures reaching the server. */
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs meaning "the server cannot serve us now" (class 08 is handled as a whole).
 * 57014 (query_canceled) is what statement_timeout raises: we never cancel queries ourselves, so
 * it means the database is too slow to answer, which callers should treat like an outage.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '53300', // too_many_connections
  '57014', // query_canceled (statement_timeout)
]);

/** pg and pg-pool raise these without a code. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Query read timeout$/, // the client-side query_timeout (openPostgresMetadataStore.ts)
];

/** pg's client-side query_timeout fired: the database did not answer in time. */
export function isPostgresQueryTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

export function isPostgresUnavailable(error: unknown): boolean {
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  if (error instanceof AggregateError && error.errors.some(isPostgresUnavailable)) {
    return true;
  }
  const code = errorCode(error);
  if (code !== undefined && (NETWORK_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) {
    return true;
  }
  return error instanceof Error && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  supportsRowLocks: true,
  isUniqueViolation: (error) => errorCode(error) === UNIQUE_VIOLATION,
  isForeignKeyViolation: (error) => errorCode(error) === FOREIGN_KEY_VIOLATION,
  isUnavailable: isPostgresUnavailable,
};
