// The per-user cap on open upload sessions (docs/decisions.md 42), as the metadata store keeps
// it: countOpenSessions, and createSession's atomic check, which holds however many servers
// create sessions for one user at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { assertRejectsWithCode, createUser, newSession, T0 } from './support.js';

export function sessionLimitsContract(store: () => MetadataStore): void {
  describe('open sessions per user', () => {
    it('counts OPEN sessions not yet expired and COMMITTING ones, of that owner only', async () => {
      const owner = await createUser(store());
      const other = await createUser(store());
      const sessions = store().sessions;
      await sessions.createSession(newSession(owner.id));
      await sessions.createSession(newSession(owner.id, { expiresAt: T0 + 10 }));
      await sessions.createSession(newSession(owner.id, { state: 'COMMITTING' }));
      for (const state of ['COMMITTED', 'ABORTED', 'EXPIRED'] as const) await sessions.createSession(newSession(owner.id, { state }));
      await sessions.createSession(newSession(other.id));
      assert.equal(await sessions.countOpenSessions({ ownerId: owner.id, now: T0 }), 3);
      assert.equal(await sessions.countOpenSessions({ ownerId: owner.id, now: T0 + 11 }), 2, 'an expired OPEN session no longer counts');
      assert.equal(await sessions.countOpenSessions({ ownerId: other.id, now: T0 }), 1);
    });

    it('createSession with maxOpenPerOwner refuses the one past the cap, and takes one again once a session closes', async () => {
      const owner = await createUser(store());
      const sessions = store().sessions;
      const first = newSession(owner.id);
      await sessions.createSession(first, { maxOpenPerOwner: 2 });
      await sessions.createSession(newSession(owner.id), { maxOpenPerOwner: 2 });
      const refused = newSession(owner.id);
      await assertRejectsWithCode(sessions.createSession(refused, { maxOpenPerOwner: 2 }), 'TOO_MANY_SESSIONS');
      assert.equal(await sessions.getSession(refused.id), undefined, 'nothing stored');
      await sessions.transitionSession({ id: first.id, from: 'OPEN', to: 'ABORTED', at: T0 + 1 });
      await sessions.createSession(refused, { maxOpenPerOwner: 2 });
      assert.equal(await sessions.countOpenSessions({ ownerId: owner.id, now: T0 }), 2);
    });

    it('creations at once never take an owner past the cap', async () => {
      const owner = await createUser(store());
      const sessions = store().sessions;
      const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => sessions.createSession(newSession(owner.id), { maxOpenPerOwner: 5 })));
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 5);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') assert.equal((outcome.reason as { code?: string }).code, 'TOO_MANY_SESSIONS');
      }
      assert.equal(await sessions.countOpenSessions({ ownerId: owner.id, now: T0 }), 5);
    });
  });
}
