// docs/decisions.md 2 and 20: session ids and tokens are opaque and unguessable; ours are also safe to pass as a
// command-line argument (a leading "-" would read as an option).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSessionIdShaped, newSessionId } from './sessions/sessionIds.js';

describe('session ids', () => {
  it('are 43 base64url characters, all different, none starting with "-"', () => {
    // One random id in 64 starts with "-": 10,000 ids would include about 156 of them.
    const ids = Array.from({ length: 10_000 }, newSessionId);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) {
      assert.ok(isSessionIdShaped(id), id);
      assert.ok(!id.startsWith('-'), id);
    }
  });

  it('anything else names no session', () => {
    for (const text of ['', 'abc', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}!`, 42, undefined]) assert.equal(isSessionIdShaped(text), false);
    assert.equal(isSessionIdShaped(`-${'a'.repeat(42)}`), true, 'ids issued before this rule are still accepted');
  });
});

describe('user tokens', () => {
  it('are dfp_ and 38 base62 characters (docs/decisions.md 60), so none starts with "-"', async () => {
    const { newTokenSecret } = await import('./accounts/tokenFormat.js');
    const tokens = Array.from({ length: 10_000 }, newTokenSecret);
    assert.equal(new Set(tokens).size, tokens.length);
    for (const token of tokens) assert.match(token, /^dfp_[A-Za-z0-9]{38}$/);
  });
});
