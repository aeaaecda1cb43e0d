// The contract for multipart upload sessions and their parts (docs/decisions.md 22–25;
// docs/architecture.md: "OPEN → COMMITTING → COMMITTED | ABORTED | EXPIRED").
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { SessionPart, UploadSessionRecord } from '../../../core/model.js';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { assertRejectsWithCode, createFile, createUser, newSession, T0 } from './support.js';

function part(index: number, overrides: Partial<SessionPart> = {}): SessionPart {
  return {
    index,
    sizeBytes: 5 * 1024 ** 3 + index, // past 2^32
    sha256: index.toString(16).toUpperCase().padStart(64, '0'),
    uploadedAt: T0 + 1000 * index,
    ...overrides,
  };
}

export function sessionsContract(store: () => MetadataStore): void {
  describe('upload sessions', () => {
    it('a new-file session round-trips every field', async () => {
      const owner = await createUser(store());
      const session = newSession(owner.id);
      await store().sessions.createSession(session);
      assert.deepEqual(await store().sessions.getSession(session.id), session);
    });

    it('an update session keeps the file it updates', async () => {
      const owner = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      const session = newSession(owner.id, { fileId: file.id, contentType: 'image/png', name: ' "spaced" ', description: '' });
      await store().sessions.createSession(session);
      assert.deepEqual(await store().sessions.getSession(session.id), session);
    });

    it('an unknown session id finds nothing', async () => {
      assert.equal(await store().sessions.getSession('no-such-session'), undefined);
    });

    it('a session for a missing owner is USER_NOT_FOUND', async () => {
      await assertRejectsWithCode(store().sessions.createSession(newSession(987_654)), 'USER_NOT_FOUND');
    });

    describe('transitions', () => {
      it('moves a session out of the expected state and records when', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        const committing = await store().sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'COMMITTING', at: T0 + 5 });
        assert.deepEqual(committing, { ...session, state: 'COMMITTING', updatedAt: T0 + 5 });
        assert.deepEqual(await store().sessions.getSession(session.id), committing);
      });

      it('a commit records the file and revision it produced, so a retry can answer the same, and its parts released', async () => {
        const owner = await createUser(store());
        const { file, currentRevision } = await createFile(store(), owner.id);
        const session = newSession(owner.id, { state: 'COMMITTING' });
        await store().sessions.createSession(session);
        const committed = await store().sessions.transitionSession({
          id: session.id,
          from: 'COMMITTING',
          to: 'COMMITTED',
          at: T0 + 9,
          committedFileId: file.id,
          committedRevisionId: currentRevision.id,
          partsReleased: true,
        });
        const expected = {
          ...session,
          state: 'COMMITTED' as const,
          updatedAt: T0 + 9,
          committedFileId: file.id,
          committedRevisionId: currentRevision.id,
          partsReleased: true,
        };
        assert.deepEqual(committed, expected);
        assert.deepEqual(await store().sessions.getSession(session.id), expected);
      });

      it('from a state the session is not in, changes nothing and answers undefined', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        assert.equal(await store().sessions.transitionSession({ id: session.id, from: 'COMMITTING', to: 'COMMITTED', at: T0 + 5 }), undefined);
        assert.deepEqual(await store().sessions.getSession(session.id), session);
      });

      it('with unchangedSince, only if updatedAt is still that (a renewal in between wins)', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id, { state: 'COMMITTING' });
        await store().sessions.createSession(session);
        await store().sessions.transitionSession({ id: session.id, from: 'COMMITTING', to: 'COMMITTING', at: T0 + 10 });
        assert.equal(await store().sessions.transitionSession({ id: session.id, from: 'COMMITTING', to: 'OPEN', at: T0 + 20, unchangedSince: T0 }), undefined);
        const moved = await store().sessions.transitionSession({ id: session.id, from: 'COMMITTING', to: 'OPEN', at: T0 + 20, unchangedSince: T0 + 10 });
        assert.deepEqual(moved, { ...session, state: 'OPEN', updatedAt: T0 + 20 });
      });

      it('of an unknown session is SESSION_NOT_FOUND', async () => {
        await assertRejectsWithCode(store().sessions.transitionSession({ id: 'no-such-session', from: 'OPEN', to: 'ABORTED', at: T0 }), 'SESSION_NOT_FOUND');
      });

      it('of several concurrent OPEN → COMMITTING transitions, exactly one wins', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        const outcomes = await Promise.all(
          Array.from({ length: 6 }, (_, attempt) => store().sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'COMMITTING', at: T0 + attempt })),
        );
        const winners = outcomes.filter((outcome) => outcome !== undefined);
        assert.equal(winners.length, 1);
        assert.deepEqual(await store().sessions.getSession(session.id), winners[0]);
      });

      it('a commit racing an abort: exactly one of them wins', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        const [commit, abort] = await Promise.all([
          store().sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'COMMITTING', at: T0 + 1 }),
          store().sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'ABORTED', at: T0 + 2 }),
        ]);
        assert.equal([commit, abort].filter((outcome) => outcome !== undefined).length, 1);
        assert.equal((await store().sessions.getSession(session.id))?.state, (commit ?? abort)?.state);
      });
    });

    describe('parts', () => {
      it('are listed by index, whatever order they arrived in', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        for (const index of [3, 1, 10_000, 2]) {
          await store().sessions.putPart({ sessionId: session.id, part: part(index), expiresAt: session.expiresAt });
        }
        assert.deepEqual(await store().sessions.listParts(session.id), [part(1), part(2), part(3), part(10_000)]);
      });

      it('re-uploading an index replaces that part (docs/decisions.md 22)', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        await store().sessions.putPart({ sessionId: session.id, part: part(1), expiresAt: session.expiresAt });
        const replacement = part(1, { sizeBytes: 7, sha256: 'F'.repeat(64), uploadedAt: T0 + 99 });
        await store().sessions.putPart({ sessionId: session.id, part: replacement, expiresAt: session.expiresAt });
        assert.deepEqual(await store().sessions.listParts(session.id), [replacement]);
      });

      it("renew the session: updatedAt becomes the part's upload time, expiresAt the given one", async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        const uploaded = part(1, { uploadedAt: T0 + 60_000 });
        await store().sessions.putPart({ sessionId: session.id, part: uploaded, expiresAt: T0 + 60_000 + 86_400_000 });
        assert.deepEqual(await store().sessions.getSession(session.id), { ...session, updatedAt: T0 + 60_000, expiresAt: T0 + 60_000 + 86_400_000 });
      });

      it('belong to their own session', async () => {
        const owner = await createUser(store());
        const one = newSession(owner.id);
        const two = newSession(owner.id);
        await store().sessions.createSession(one);
        await store().sessions.createSession(two);
        await store().sessions.putPart({ sessionId: one.id, part: part(1), expiresAt: one.expiresAt });
        assert.deepEqual(await store().sessions.listParts(two.id), []);
      });

      it('for an unknown session are SESSION_NOT_FOUND', async () => {
        await assertRejectsWithCode(store().sessions.putPart({ sessionId: 'no-such-session', part: part(1), expiresAt: T0 }), 'SESSION_NOT_FOUND');
      });

      it('keep the version of the staged bytes, and a replacement answers the part it replaced (docs/decisions.md 50)', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        const first = part(2, { blobVersion: '0123456789abcdef' });
        assert.deepEqual(await store().sessions.putPart({ sessionId: session.id, part: first, expiresAt: session.expiresAt }), {});
        const second = part(2, { blobVersion: 'fedcba9876543210', sha256: 'E'.repeat(64) });
        assert.deepEqual(await store().sessions.putPart({ sessionId: session.id, part: second, expiresAt: session.expiresAt }), { replaced: first });
        assert.deepEqual(await store().sessions.listParts(session.id), [second]);
      });

      it('are fixed once a commit begins: a part for a session not OPEN is SESSION_CLOSED and changes nothing (docs/decisions.md 50)', async () => {
        const owner = await createUser(store());
        for (const state of ['COMMITTING', 'COMMITTED', 'ABORTED', 'EXPIRED'] as const) {
          const session = newSession(owner.id);
          await store().sessions.createSession(session);
          await store().sessions.putPart({ sessionId: session.id, part: part(1), expiresAt: session.expiresAt });
          await store().sessions.transitionSession({ id: session.id, from: 'OPEN', to: state, at: T0 + 7 });
          const late = part(1, { sha256: 'A'.repeat(64), blobVersion: 'aaaaaaaaaaaaaaaa' });
          await assertRejectsWithCode(store().sessions.putPart({ sessionId: session.id, part: late, expiresAt: T0 + 99 }), 'SESSION_CLOSED');
          assert.deepEqual(await store().sessions.listParts(session.id), [part(1)], state);
          assert.equal((await store().sessions.getSession(session.id))?.updatedAt, T0 + 7, state);
        }
      });

      it('racing a commit: the part either lands before the compare-and-set or is refused, never after it', async () => {
        const owner = await createUser(store());
        for (let round = 0; round < 10; round++) {
          const session = newSession(owner.id);
          await store().sessions.createSession(session);
          await store().sessions.putPart({ sessionId: session.id, part: part(1), expiresAt: session.expiresAt });
          const late = part(1, { sha256: 'B'.repeat(64), blobVersion: 'bbbbbbbbbbbbbbbb' });
          const [put, committing] = await Promise.allSettled([
            store().sessions.putPart({ sessionId: session.id, part: late, expiresAt: session.expiresAt }),
            store()
              .sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'COMMITTING', at: T0 + 1 })
              .then(async (moved) => {
                assert.ok(moved);
                return store().sessions.listParts(session.id);
              }),
          ]);
          assert.equal(committing.status, 'fulfilled');
          const listedAtCommit = (committing as PromiseFulfilledResult<SessionPart[]>).value;
          assert.deepEqual(await store().sessions.listParts(session.id), listedAtCommit, 'nothing changed after the commit listed the parts');
          if (put.status === 'rejected') assert.equal((put.reason as { code?: string }).code, 'SESSION_CLOSED');
        }
      });
    });

    describe('stale commits', () => {
      it('lists COMMITTING sessions not renewed since the given time, oldest first, at most `limit` (docs/decisions.md 51)', async () => {
        const owner = await createUser(store());
        const oldest = newSession(owner.id, { state: 'COMMITTING', updatedAt: T0 + 1 });
        const older = newSession(owner.id, { state: 'COMMITTING', updatedAt: T0 + 2 });
        const renewed = newSession(owner.id, { state: 'COMMITTING', updatedAt: T0 + 100 });
        const open = newSession(owner.id, { state: 'OPEN', updatedAt: T0 });
        const aborted = newSession(owner.id, { state: 'ABORTED', updatedAt: T0 });
        for (const session of [older, renewed, open, oldest, aborted]) await store().sessions.createSession(session);
        const stale = await store().sessions.listStaleCommits({ updatedBefore: T0 + 50, limit: 10 });
        const mine = new Set([oldest.id, older.id, renewed.id, open.id, aborted.id]);
        assert.deepEqual(
          stale.filter((session) => mine.has(session.id)),
          [oldest, older],
        );
        assert.equal((await store().sessions.listStaleCommits({ updatedBefore: T0 + 50, limit: 1 })).length, 1);
      });
    });

    describe('expiry', () => {
      it('expires OPEN sessions whose expiresAt is before now, soonest expired first, at most `limit`, and answers them', async () => {
        const owner = await createUser(store());
        const now = T0 + 1_000_000;
        const expiredLater = newSession(owner.id, { expiresAt: now - 10 });
        const expiredFirst = newSession(owner.id, { expiresAt: now - 500 });
        const expiringNow = newSession(owner.id, { expiresAt: now });
        const alive = newSession(owner.id, { expiresAt: now + 10 });
        const committing = newSession(owner.id, { state: 'COMMITTING', expiresAt: now - 900 });
        const aborted = newSession(owner.id, { state: 'ABORTED', expiresAt: now - 900 });
        const expired = newSession(owner.id, { state: 'EXPIRED', expiresAt: now - 900 });
        const all = [expiredLater, expiredFirst, expiringNow, alive, committing, aborted, expired];
        for (const session of all) await store().sessions.createSession(session);
        const closed = (session: UploadSessionRecord): UploadSessionRecord => ({ ...session, state: 'EXPIRED', updatedAt: now + 1 });
        assert.deepEqual(await store().sessions.expireSessions({ now, at: now + 1, limit: 1 }), [closed(expiredFirst)]);
        assert.deepEqual(await store().sessions.expireSessions({ now, at: now + 1, limit: 10 }), [closed(expiredLater)]);
        assert.deepEqual(await store().sessions.expireSessions({ now, at: now + 1, limit: 10 }), [], 'once');
        const unchanged = [expiringNow, alive, committing, aborted, expired];
        for (const session of unchanged) assert.deepEqual(await store().sessions.getSession(session.id), session);
        assert.deepEqual(await store().sessions.getSession(expiredFirst.id), closed(expiredFirst));
      });

      it('a batch larger than one page expires them all, a page at a time', async () => {
        const owner = await createUser(store());
        const now = T0 + 2_000_000;
        const sessions = Array.from({ length: 25 }, (_, n) => newSession(owner.id, { expiresAt: now - 100 + n }));
        for (const session of sessions) await store().sessions.createSession(session);
        const expired: string[] = [];
        for (;;) {
          const batch = await store().sessions.expireSessions({ now, at: now, limit: 10 });
          expired.push(...batch.map((session) => session.id));
          if (batch.length < 10) break;
        }
        assert.deepEqual(
          expired,
          sessions.map((session) => session.id),
        );
      });
    });

    describe('released parts', () => {
      it('only a closed session (COMMITTED, ABORTED, EXPIRED) can be marked released; marking again is harmless', async () => {
        const owner = await createUser(store());
        const states = ['COMMITTED', 'ABORTED', 'EXPIRED', 'OPEN', 'COMMITTING'] as const;
        const sessions = states.map((state) => newSession(owner.id, { state, updatedAt: T0 + 7 }));
        for (const session of sessions) await store().sessions.createSession(session);
        const marked = await Promise.all(sessions.map((session) => store().sessions.markPartsReleased(session.id)));
        assert.deepEqual(marked, [true, true, true, false, false]);
        for (const [position, session] of sessions.entries()) {
          // Nothing else changes: updatedAt still says when the session was closed.
          assert.deepEqual(await store().sessions.getSession(session.id), { ...session, partsReleased: marked[position] });
        }
        assert.equal(await store().sessions.markPartsReleased(sessions[1].id), true);
      });

      it('marks many closed sessions released in one call, passing over open and unknown ones', async () => {
        const owner = await createUser(store());
        const states = ['COMMITTED', 'ABORTED', 'EXPIRED', 'OPEN', 'COMMITTING'] as const;
        const sessions = states.map((state) => newSession(owner.id, { state, updatedAt: T0 + 9 }));
        for (const session of sessions) await store().sessions.createSession(session);
        await store().sessions.markManyPartsReleased([...sessions.map((session) => session.id), 'no-such-session']);
        const released = await Promise.all(sessions.map(async (session) => (await store().sessions.getSession(session.id))?.partsReleased));
        assert.deepEqual(released, [true, true, true, false, false]);
        await store().sessions.markManyPartsReleased([]);
      });

      it('marking an unknown session is SESSION_NOT_FOUND', async () => {
        await assertRejectsWithCode(store().sessions.markPartsReleased('no-such-session'), 'SESSION_NOT_FOUND');
      });

      it('lists ABORTED and EXPIRED sessions not released and closed before the given time, oldest first, then by id, at most `limit`', async () => {
        const owner = await createUser(store());
        const now = T0 + 1_000_000;
        const hex = randomUUID().replaceAll('-', '');
        const abortedFirst = newSession(owner.id, { state: 'ABORTED', updatedAt: now - 500 });
        const tiedOne = newSession(owner.id, { id: `a${hex}`, state: 'EXPIRED', updatedAt: now - 100 });
        const tiedTwo = newSession(owner.id, { id: `b${hex}`, state: 'ABORTED', updatedAt: now - 100 });
        const expiredLast = newSession(owner.id, { state: 'EXPIRED', updatedAt: now - 1 });
        const unlisted = [
          newSession(owner.id, { state: 'ABORTED', updatedAt: now }),
          newSession(owner.id, { state: 'ABORTED', updatedAt: now - 900, partsReleased: true }),
          newSession(owner.id, { state: 'EXPIRED', updatedAt: now - 900, partsReleased: true }),
          newSession(owner.id, { state: 'COMMITTED', updatedAt: now - 900 }),
          newSession(owner.id, { state: 'OPEN', updatedAt: now - 900, expiresAt: now - 900 }),
          newSession(owner.id, { state: 'COMMITTING', updatedAt: now - 900 }),
        ];
        for (const session of [expiredLast, tiedTwo, ...unlisted, tiedOne, abortedFirst]) await store().sessions.createSession(session);
        const list = (limit: number, after?: UploadSessionRecord) =>
          store().sessions.listUnreleasedSessions({ closedBefore: now, limit, after: after && { updatedAt: after.updatedAt, id: after.id } });
        assert.deepEqual(await list(10), [abortedFirst, tiedOne, tiedTwo, expiredLast]);
        assert.deepEqual(await list(2), [abortedFirst, tiedOne]);
        assert.deepEqual(await list(2, tiedOne), [tiedTwo, expiredLast], 'pages on past the last one seen, ties included');
        assert.deepEqual(await list(10, expiredLast), []);
      });

      it('a session closed by a transition is listed until it is marked released', async () => {
        const owner = await createUser(store());
        const session = newSession(owner.id);
        await store().sessions.createSession(session);
        const aborted = await store().sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'ABORTED', at: T0 + 1 });
        assert.equal(aborted?.partsReleased, false);
        assert.deepEqual(await store().sessions.listUnreleasedSessions({ closedBefore: T0 + 2, limit: 10 }), [aborted]);
        assert.deepEqual(await store().sessions.listUnreleasedSessions({ closedBefore: T0 + 1, limit: 10 }), [], 'closed at, not before, the given time');
        await store().sessions.markPartsReleased(session.id);
        assert.deepEqual(await store().sessions.listUnreleasedSessions({ closedBefore: T0 + 2, limit: 10 }), []);
      });
    });
  });
}
