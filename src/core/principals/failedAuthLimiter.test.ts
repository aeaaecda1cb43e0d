import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../errors.js';
import { FailedAuthLimiter } from './failedAuthLimiter.js';

function clockAt(start: number) {
  const clock = { ms: start, now: () => clock.ms };
  return clock;
}

function refusal(action: () => void): { retryAfterSeconds?: number; message: string } | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    assert.ok(isDomainError(error, 'TOO_MANY_FAILED_AUTHENTICATIONS'));
    return error;
  }
}

describe('FailedAuthLimiter', () => {
  it('lets an address fail `burst` times, then refuses it until a failure is earned back', () => {
    const clock = clockAt(1_000);
    const limiter = new FailedAuthLimiter({ burst: 3, perSecond: 2 }, clock);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      limiter.check('10.0.0.1');
      limiter.failed('10.0.0.1');
    }
    const refused = refusal(() => limiter.check('10.0.0.1'));
    assert.equal(refused?.retryAfterSeconds, 1);
    assert.match(refused?.message ?? '', /3 at once, then 2 a second/);
    limiter.check('10.0.0.2'); // another address is not affected
    clock.ms += 499;
    assert.ok(refusal(() => limiter.check('10.0.0.1')));
    clock.ms += 1;
    limiter.check('10.0.0.1');
  });

  it('says how long to wait when the rate is slow', () => {
    const clock = clockAt(0);
    const limiter = new FailedAuthLimiter({ burst: 1, perSecond: 1 }, clock);
    limiter.failed('a');
    clock.ms += 200;
    assert.equal(refusal(() => limiter.check('a'))?.retryAfterSeconds, 1);
  });

  it('burst 0 turns the limit off', () => {
    const limiter = new FailedAuthLimiter({ burst: 0, perSecond: 1 }, clockAt(0));
    for (let attempt = 0; attempt < 1000; attempt += 1) limiter.failed('a');
    limiter.check('a');
  });

  it('remembers at most maxAddresses, forgetting the least recently failing', () => {
    const limiter = new FailedAuthLimiter({ burst: 1, perSecond: 1, maxAddresses: 2 }, clockAt(0));
    limiter.failed('a');
    limiter.failed('b');
    limiter.failed('c');
    limiter.check('a'); // forgotten: a fresh bucket
    assert.ok(refusal(() => limiter.check('b')));
    assert.ok(refusal(() => limiter.check('c')));
  });
});
