// Start-up failures of the stores, told so that an operator can act on them (issue 16, item 6):
// which dependency (PostgreSQL, the S3 store, the SQLite file, the data directory), at which
// address (credentials masked), the underlying cause, and what to check. The same stores answer
// requests with a plain 503 later; this is only for opening them.
import type { StorageConfig } from '../config.js';
import { DomainError, isDomainError } from '../core/errors.js';

export type Dependency = 'postgres' | 'sqlite' | 's3' | 'disk';

/** The error to stop with when opening `dependency` failed with `error`. */
export function startupError(dependency: Dependency, config: StorageConfig, where: string, error: unknown): DomainError {
  const location = describe(dependency, config, where);
  if (isDomainError(error, 'DATABASE_TOO_NEW')) {
    return new DomainError('DATABASE_TOO_NEW', `${location}: ${error.message}`, { cause: error, details: error.details });
  }
  return new DomainError('DEPENDENCY_UNAVAILABLE', `cannot use ${location}: ${rootCause(error)}. ${ADVICE[dependency]}`, { cause: error });
}

const ADVICE: Record<Dependency, string> = {
  postgres:
    'Check that PostgreSQL is running and accepts TCP connections at that address (listen_addresses, pg_hba.conf, any firewall), ' +
    'that the database and user exist and the password is right, and that --database-url (DATAFILES_DATABASE_URL) names them.',
  s3:
    'Check that the object store is running and answers at that endpoint (--s3-endpoint, DATAFILES_S3_ENDPOINT), that the credentials ' +
    '(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile or instance role) may use the bucket, and that the bucket exists or may be created.',
  sqlite: 'Check that the data directory (--data, DATAFILES_DATA_DIR) is writable by this user and that no other program holds the database.',
  disk: 'Check that the data directory (--data, DATAFILES_DATA_DIR) exists or may be created and is writable by this user (with systemd: ReadWritePaths=).',
};

function describe(dependency: Dependency, config: StorageConfig, where: string): string {
  switch (dependency) {
    case 'postgres':
      return `PostgreSQL at ${postgresAddress(config.databaseUrl ?? '')}`;
    case 's3':
      return `the S3 bucket "${config.s3?.bucket}" at ${config.s3?.endpoint} (region ${config.s3?.region})`;
    case 'sqlite':
      return `the SQLite database ${where}`;
    case 'disk':
      return `the blob directory ${where}`;
  }
}

/** host:port, database and user of a postgres:// URL; never its password. */
export function postgresAddress(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const host = url.hostname || decodeURIComponent(url.searchParams.get('host') ?? '') || 'localhost';
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default)';
    return `${host}:${url.port || 5432} (database ${database}${url.username ? `, user ${decodeURIComponent(url.username)}` : ''})`;
  } catch {
    return '(an unparsable --database-url)';
  }
}

/** The innermost error's code and message: what actually went wrong (ECONNREFUSED, a bad password…). */
function rootCause(error: unknown): string {
  let current: unknown = error;
  const seen = new Set<unknown>();
  // Follow causes, and the first error of an AggregateError (several addresses tried).
  for (;;) {
    seen.add(current);
    const next = current instanceof AggregateError && current.errors.length > 0 ? current.errors[0] : (current as { cause?: unknown })?.cause;
    if (next === undefined || next === null || seen.has(next)) break;
    current = next;
  }
  const { code, name, message } = (current ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  const label = typeof code === 'string' && code !== '' ? code : typeof name === 'string' && name !== 'Error' ? name : undefined;
  const text = typeof message === 'string' && message !== '' ? message : String(current);
  return label !== undefined && !text.includes(label) ? `${label}: ${text}` : text;
}
