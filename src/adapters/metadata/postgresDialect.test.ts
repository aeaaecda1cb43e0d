// Which pg errors mean "the database is unavailable" (answered 503 DEPENDENCY_UNAVAILABLE) and
// which are ordinary failures that must not be disguised as an outage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPostgresUnavailable } from './postgresDialect.js';

function withCode(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

describe('PostgreSQL unavailability', () => {
  it('a refused, reset or timed-out connection is unavailable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']) {
      assert.equal(isPostgresUnavailable(withCode(code)), true, code);
    }
  });

  it('a refusal on every address of a host (AggregateError) is unavailable', () => {
    assert.equal(isPostgresUnavailable(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])), true);
  });

  it('connection-exception SQLSTATEs (08xxx), shutdowns, too many connections and statement timeouts are unavailable', () => {
    for (const code of ['08000', '08003', '08006', '08001', '08004', '57P01', '57P02', '57P03', '53300', '57014']) {
      assert.equal(isPostgresUnavailable(withCode(code)), true, code);
    }
  });

  it("pg's own connection failures, which carry no code, are unavailable", () => {
    assert.equal(isPostgresUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isPostgresUnavailable(new Error('Connection terminated due to connection timeout')), true);
    assert.equal(isPostgresUnavailable(new Error('timeout exceeded when trying to connect')), true);
  });

  it('constraint violations, syntax errors and other failures are not', () => {
    for (const code of ['23505', '23503', '42601', '42P01', '40001']) {
      assert.equal(isPostgresUnavailable(withCode(code)), false, code);
    }
    assert.equal(isPostgresUnavailable(new Error('something else')), false);
    assert.equal(isPostgresUnavailable(undefined), false);
  });
});
