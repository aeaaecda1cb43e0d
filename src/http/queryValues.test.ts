import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../core/errors.js';
import { listValues, parseBoolean, parseExpand, parseId, parseIds } from './queryValues.js';

describe('query parameters (docs/decisions.md 5, 10)', () => {
  it('reads comma-separated and repeated list parameters alike', () => {
    assert.deepEqual(listValues('1,2'), ['1', '2']);
    assert.deepEqual(listValues(['1', '2,3']), ['1', '2', '3']);
    assert.deepEqual(parseIds('4, 5'), [4, 5]);
    assert.equal(parseIds(undefined), undefined);
  });
  it('accepts revisions and metadata in expand, and nothing else', () => {
    assert.deepEqual([...parseExpand('revisions,metadata')], ['revisions', 'metadata']);
    assert.throws(
      () => parseExpand('revisions,bogus'),
      (error) => isDomainError(error, 'INVALID_EXPAND'),
    );
  });
  it('refuses ids that are not positive integers that fit', () => {
    for (const text of ['0', '-1', 'abc', '1.5', '9999999999999999', '']) {
      assert.throws(
        () => parseId(text),
        (error) => isDomainError(error, 'INVALID_ID'),
        text,
      );
    }
    assert.equal(parseId('401'), 401);
  });
  it('reads booleans as the examples send them', () => {
    assert.equal(parseBoolean('true', 'public', false), true);
    assert.equal(parseBoolean('FALSE', 'public', true), false);
    assert.equal(parseBoolean(undefined, 'public', false), false);
    assert.throws(
      () => parseBoolean('perhaps', 'public', false),
      (error) => isDomainError(error, 'BAD_REQUEST'),
    );
  });
});
