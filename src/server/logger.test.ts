import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl } from './logger.js';

describe('request logging', () => {
  it('masks a token passed as ryuu_sid, wherever it stands in the query', () => {
    assert.equal(redactUrl('/domo/data-files/v1/1?ryuu_sid=SECRET'), '/domo/data-files/v1/1?ryuu_sid=[redacted]');
    assert.equal(redactUrl('/x?a=1&RYUU_SID=SECRET&b=2'), '/x?a=1&RYUU_SID=[redacted]&b=2');
    assert.equal(redactUrl('/x?a=1'), '/x?a=1');
  });
  it('masks the token whatever escapes spell the name of its parameter (issue 10)', () => {
    assert.equal(redactUrl('/x?ryuu%5Fsid=SECRET'), '/x?ryuu%5Fsid=[redacted]');
    assert.equal(redactUrl('/x?a=%41&%72yuu_sid=SECRET&b=2'), '/x?a=%41&%72yuu_sid=[redacted]&b=2');
    assert.equal(redactUrl('/x?%72%79%75%75%5f%73%69%64=SECRET'), '/x?%72%79%75%75%5f%73%69%64=[redacted]');
    assert.equal(redactUrl('/x?%2572yuu_sid=SECRET#x'), '/x?%2572yuu_sid=[redacted]');
    assert.equal(redactUrl('/x?ryuu_sid=SE#CRET&ryuu_sid=AGAIN'), '/x?ryuu_sid=[redacted]&ryuu_sid=[redacted]');
    assert.equal(redactUrl('/x?a=%ZZ&b=100%'), '/x?a=%ZZ&b=100%');
  });
});
