// Every reply clamd gives, and some it should not: only "stream: OK" is clean.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpretReply } from './clamdReply.js';

describe('interpreting clamd replies', () => {
  it('OK is clean; NAME FOUND is infected with that name', () => {
    assert.deepEqual(interpretReply('stream: OK'), { kind: 'clean' });
    assert.deepEqual(interpretReply('stream: OK\0'), { kind: 'clean' });
    assert.deepEqual(interpretReply('stream: Eicar-Test-Signature.UNOFFICIAL FOUND'), { kind: 'infected', signature: 'Eicar-Test-Signature.UNOFFICIAL' });
    assert.deepEqual(interpretReply('stream: Win.Test.EICAR_HDB-1 FOUND\n'), { kind: 'infected', signature: 'Win.Test.EICAR_HDB-1' });
  });

  it('limits exceeded (AlertExceedsMax, StreamMaxLength) are FAILED for good: too large, not retried', () => {
    for (const reply of ['stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND', 'INSTREAM size limit exceeded. ERROR']) {
      const outcome = interpretReply(reply);
      assert.equal(outcome.kind, 'failed', reply);
      assert.ok(outcome.kind === 'failed' && /^too large/.test(outcome.reason) && !outcome.retry, reply);
    }
  });

  it('errors and anything unrecognised are retryable failures, never clean', () => {
    for (const reply of ['stream: lstat() failed: No such file. ERROR', 'COMMAND READ TIMED OUT', '', 'OK', 'stream: OK stream: OK', 'stream: FOUND', 'PONG']) {
      const outcome = interpretReply(reply);
      assert.equal(outcome.kind, 'failed', JSON.stringify(reply));
      assert.ok(outcome.kind === 'failed' && outcome.retry, reply);
    }
  });
});
