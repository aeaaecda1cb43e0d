// Start-up errors (docs/decisions.md 57): the address without the password, and the root cause
// found under wrappers and AggregateErrors (several addresses tried).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StorageConfig } from '../config.js';
import { DomainError } from '../core/errors.js';
import { postgresAddress, startupError } from './dependencyErrors.js';

const config: StorageConfig = { dataDir: '/var/lib/datafiles', databaseUrl: 'postgres://app:s3cret@db.internal:6543/files', dependencyTimeoutMs: 1000 };

describe('startupError', () => {
  it('names host, port, database and user, never the password', () => {
    assert.equal(postgresAddress('postgres://app:s3cret@db.internal:6543/files'), 'db.internal:6543 (database files, user app)');
    assert.equal(postgresAddress('postgres:///files?host=%2Fvar%2Frun%2Fpostgresql'), '/var/run/postgresql:5432 (database files)');
    assert.equal(postgresAddress('not a url'), '(an unparsable --database-url)');
  });

  it('finds the root cause under a DomainError and an AggregateError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:6543'), { code: 'ECONNREFUSED' });
    const wrapped = new DomainError('DEPENDENCY_UNAVAILABLE', undefined, { cause: new AggregateError([refused], '') });
    const error = startupError('postgres', config, config.databaseUrl!, wrapped);
    assert.equal(error.code, 'DEPENDENCY_UNAVAILABLE');
    assert.match(
      error.message,
      /^cannot use PostgreSQL at db\.internal:6543 \(database files, user app\): connect ECONNREFUSED ::1:6543\. Check that PostgreSQL is running/,
    );
    assert.doesNotMatch(error.message, /s3cret/);
  });

  it('labels a cause by its code when the message does not say it', () => {
    const denied = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    assert.match(
      startupError('disk', config, '/var/lib/datafiles/files', denied).message,
      /^cannot use the blob directory \/var\/lib\/datafiles\/files: EACCES: permission denied\. Check that the data directory/,
    );
  });

  it('keeps a too-new database its own code, prefixed with where it is', () => {
    const tooNew = new DomainError('DATABASE_TOO_NEW', 'the database was upgraded by a newer datafiles');
    const error = startupError('sqlite', config, '/var/lib/datafiles/datafiles.sqlite', tooNew);
    assert.equal(error.code, 'DATABASE_TOO_NEW');
    assert.equal(error.message, 'the SQLite database /var/lib/datafiles/datafiles.sqlite: the database was upgraded by a newer datafiles');
  });
});
