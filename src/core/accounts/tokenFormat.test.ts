import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, newTokenSecret, TOKEN_LENGTH, tokenShape } from './tokenFormat.js';

describe('token format (docs/decisions.md 60)', () => {
  it('CRC-32 is the IEEE one (the check value of "123456789")', () => {
    assert.equal(crc32('123456789'), 0xcbf43926);
  });

  it('new tokens are dfp_ + 32 base62 + a 6-character checksum, and check out', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newTokenSecret()));
    assert.equal(tokens.size, 200);
    for (const token of tokens) {
      assert.match(token, /^dfp_[0-9A-Za-z]{38}$/);
      assert.equal(token.length, TOKEN_LENGTH);
      assert.equal(tokenShape(token), 'valid');
    }
  });

  it('one changed character fails the checksum; tokens made before records are legacy', () => {
    const token = newTokenSecret();
    const changed = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    assert.equal(tokenShape(changed), 'corrupt');
    assert.equal(tokenShape(token.slice(0, -1)), 'corrupt');
    assert.equal(tokenShape('QDUG4Mi2p0WtHaH_9CNVK6lra_gKI6Qtwiy8QB6ehAc'), 'legacy');
  });
});
