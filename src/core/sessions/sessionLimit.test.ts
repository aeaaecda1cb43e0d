// docs/decisions.md 42: the per-user cap on open upload sessions, in the session service over real
// stores (SQLite in memory, the disk blob store): a refused session stages nothing, and a session
// that is aborted or expires gives its place back.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isDomainError } from '../errors.js';
import { ManualClock, startSessionWorld, type SessionWorld } from '../../../test/support/sessionWorld.js';

describe('SessionService: open sessions per user', () => {
  const clock = new ManualClock();
  let world: SessionWorld;
  beforeEach(async () => {
    world = await startSessionWorld({ clock, ttlMs: 60_000, maxOpenPerUser: 3 });
  });
  afterEach(() => world.cleanup());

  const open = (caller = world.alice) => world.sessions.create({ caller, name: 'big.bin', contentType: 'application/octet-stream' });

  it('refuses the one past the cap with 429 and a Retry-After, staging nothing for it', async () => {
    const sessions = [await open(), await open(), await open()];
    await assert.rejects(open(), (error: unknown) => {
      assert.ok(isDomainError(error, 'TOO_MANY_SESSIONS'));
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 60);
      assert.match(error.message, /3 open upload sessions.*--max-open-sessions-per-user/);
      return true;
    });
    assert.equal((await world.leftovers()).uploads.length, 3, 'no staging area for the refused session');
    await open(world.bob); // counted per user

    await world.sessions.abort({ caller: world.alice, sessionId: sessions[0].id });
    await open();
    await assert.rejects(open(), (error: unknown) => isDomainError(error, 'TOO_MANY_SESSIONS'));
  });

  it('a session idle past its TTL no longer counts, even before the sweep closes it', async () => {
    await open();
    await open();
    clock.advance(30_000);
    await open();
    await assert.rejects(open(), (error: unknown) => isDomainError(error, 'TOO_MANY_SESSIONS'));
    clock.advance(30_001); // the first two expired
    await open();
    await open();
    await assert.rejects(open(), (error: unknown) => isDomainError(error, 'TOO_MANY_SESSIONS'));
  });
});
