import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl } from './logger.js';

describe('request logging', () => {
  it('masks a token passed as ryuu_sid, wherever it stands in the query', () => {
    assert.equal(redactUrl('/domo/data-files/v1/1?ryuu_sid=SECRET'), '/domo/data-files/v1/1?ryuu_sid=[redacted]');
    assert.equal(redactUrl('/x?a=1&RYUU_SID=SECRET&b=2'), '/x?a=1&RYUU_SID=[redacted]&b=2');
    assert.equal(redactUrl('/x?a=1'), '/x?a=1');
  });
});
