import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { etagOf, noneMatch, rangeStillValid } from './conditional.js';

const etag = etagOf('ABC123');

describe('conditional downloads (docs/decisions.md 21)', () => {
  it('uses the SHA-256 as a strong ETag', () => {
    assert.equal(etag, '"ABC123"');
  });
  it('matches If-None-Match by tag, in a list, weakly, or with *', () => {
    assert.equal(noneMatch('"ABC123"', etag), true);
    assert.equal(noneMatch('"X", "ABC123"', etag), true);
    assert.equal(noneMatch('W/"ABC123"', etag), true);
    assert.equal(noneMatch('*', etag), true);
    assert.equal(noneMatch('"OTHER"', etag), false);
    assert.equal(noneMatch(undefined, etag), false);
  });
  it('keeps a Range under If-Range only for the same representation', () => {
    const modified = Date.UTC(2026, 0, 1);
    assert.equal(rangeStillValid(undefined, etag, modified), true);
    assert.equal(rangeStillValid('"ABC123"', etag, modified), true);
    assert.equal(rangeStillValid('"OLD"', etag, modified), false);
    assert.equal(rangeStillValid(new Date(modified).toUTCString(), etag, modified), true);
    assert.equal(rangeStillValid(new Date(modified - 60_000).toUTCString(), etag, modified), false);
  });
});
