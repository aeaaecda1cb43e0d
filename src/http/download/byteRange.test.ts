import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRange } from './byteRange.js';

describe('Range requests (RFC 9110 §14)', () => {
  it('answers the whole body when there is no Range header', () => {
    assert.deepEqual(resolveRange(undefined, 100), { kind: 'whole' });
  });
  it('serves a closed range', () => {
    assert.deepEqual(resolveRange('bytes=0-9', 100), { kind: 'partial', range: { start: 0, end: 9 } });
  });
  it('serves an open-ended range to the last byte', () => {
    assert.deepEqual(resolveRange('bytes=90-', 100), { kind: 'partial', range: { start: 90, end: 99 } });
  });
  it('serves a suffix range of the last N bytes', () => {
    assert.deepEqual(resolveRange('bytes=-10', 100), { kind: 'partial', range: { start: 90, end: 99 } });
    assert.deepEqual(resolveRange('bytes=-1000', 100), { kind: 'partial', range: { start: 0, end: 99 } });
  });
  it('clips an end past the last byte', () => {
    assert.deepEqual(resolveRange('bytes=50-5000', 100), { kind: 'partial', range: { start: 50, end: 99 } });
  });
  it('refuses a start past the end as unsatisfiable', () => {
    assert.deepEqual(resolveRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(resolveRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(resolveRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  });
  it('ignores malformed and multi-range headers, as a server may', () => {
    for (const header of ['bytes=', 'bytes=a-b', 'items=0-1', 'bytes=0-1,5-6', 'bytes=9-3']) {
      assert.deepEqual(resolveRange(header, 100), { kind: 'whole' }, header);
    }
  });
});
