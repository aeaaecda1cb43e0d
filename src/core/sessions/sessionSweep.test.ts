// No part outlives its session: closing a session and removing its parts are two steps, and a
// crash or a failing blob store between them must not leave the parts behind for good. Over real
// stores (SQLite in memory, the disk blob store in a temp dir), without HTTP.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DomainError, isDomainError } from '../errors.js';
import type { UploadSessionRecord } from '../model.js';
import { newSessionId } from './sessionIds.js';
import { waitFor } from '../../../test/support/waitFor.js';
import { bodyOf, bytesOf, ManualClock, MiB, startSessionWorld, type SessionWorld } from '../../../test/support/sessionWorld.js';

/** How long a closed session is left to whoever closed it (CommitTiming.staleMs). */
const GRACE_MS = 60_000;
const TTL_MS = 60 * 60 * 1000;

/** A session world on a manual clock whose warnings are kept, as the sweep tests need it. */
async function sweepWorld(): Promise<{ world: SessionWorld; clock: ManualClock; warnings: Array<{ object: any; message: string }> }> {
  const clock = new ManualClock();
  const warnings: Array<{ object: any; message: string }> = [];
  const world = await startSessionWorld({
    clock,
    ttlMs: TTL_MS,
    commitTiming: { staleMs: GRACE_MS },
    log: { warn: (object, message) => warnings.push({ object, message }) },
  });
  return { world, clock, warnings };
}

describe('SessionService: the sweep removes the parts closed sessions left behind', () => {
  let world: SessionWorld;
  let clock: ManualClock;
  let warnings: Array<{ object: any; message: string }>;
  beforeEach(async () => ({ world, clock, warnings } = await sweepWorld()));
  afterEach(() => world.cleanup());

  const sessionWithParts = async (): Promise<UploadSessionRecord> => {
    const session = await world.sessions.create({ caller: world.alice, name: 'big.bin', contentType: 'application/octet-stream' });
    for (const index of [1, 2]) await world.sessions.putPart({ caller: world.alice, sessionId: session.id, index, body: bodyOf(bytesOf(MiB)) });
    return session;
  };
  const stagedUploads = async () => (await world.leftovers()).uploads.sort();
  const uploadsOf = (...sessions: UploadSessionRecord[]) => sessions.map((session) => session.blobUploadId).sort();
  const partsReleased = async (session: UploadSessionRecord) => (await world.metadata.sessions.getSession(session.id))?.partsReleased;

  it('a crash between closing a session and removing its parts: after a restart, the sweep removes them once the grace period has passed', async () => {
    const aborted = await sessionWithParts();
    const expired = await sessionWithParts();
    const open = await sessionWithParts();
    // What a crash right after the compare-and-set leaves: closed sessions whose parts are still staged.
    await world.metadata.sessions.transitionSession({ id: aborted.id, from: 'OPEN', to: 'ABORTED', at: clock.now() });
    await world.metadata.sessions.transitionSession({ id: expired.id, from: 'OPEN', to: 'EXPIRED', at: clock.now() });
    const restarted = world.restart();

    clock.advance(GRACE_MS);
    assert.deepEqual(
      await restarted.sweepExpired(),
      { rolledBack: 0, expired: 0, released: 0 },
      'within the grace period the sweep leaves them to their closer',
    );
    assert.deepEqual(await stagedUploads(), uploadsOf(aborted, expired, open));
    assert.equal(await partsReleased(aborted), false);

    clock.advance(1);
    assert.deepEqual(await restarted.sweepExpired(), { rolledBack: 0, expired: 0, released: 2 });
    assert.deepEqual(await stagedUploads(), uploadsOf(open), 'only the open session still has staged parts');
    assert.equal(await partsReleased(aborted), true);
    assert.equal(await partsReleased(expired), true);
    assert.equal(await partsReleased(open), false);
    assert.deepEqual(await restarted.sweepExpired(), { rolledBack: 0, expired: 0, released: 0 }, 'released once, never again');
    assert.deepEqual(warnings, []);

    // The open session was left alone and still commits.
    await restarted.commit({ caller: world.alice, sessionId: open.id });
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
  });

  it('a blob store that fails during an abort: the session is ABORTED, and the sweep retries (logging what fails) until the parts are gone', async () => {
    const failing = await sessionWithParts();
    const leftByCrash = await sessionWithParts();
    let storeDown = true;
    const abortUpload = world.blobs.abortUpload.bind(world.blobs);
    world.blobs.abortUpload = async (input) => {
      if (storeDown && input.uploadId === failing.blobUploadId) throw new DomainError('DEPENDENCY_UNAVAILABLE', 'S3 is briefly down');
      return abortUpload(input);
    };
    await assert.rejects(world.sessions.abort({ caller: world.alice, sessionId: failing.id }), (error) => isDomainError(error, 'DEPENDENCY_UNAVAILABLE'));
    assert.equal((await world.metadata.sessions.getSession(failing.id))?.state, 'ABORTED');
    assert.equal(await partsReleased(failing), false);
    await world.metadata.sessions.transitionSession({ id: leftByCrash.id, from: 'OPEN', to: 'ABORTED', at: clock.now() });

    clock.advance(GRACE_MS + 1);
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 0, released: 1 }, 'one failure does not stop the sweep');
    assert.deepEqual(await stagedUploads(), uploadsOf(failing));
    assert.deepEqual(
      warnings.map(({ object, message }) => [object.sessionId, message]),
      [[failing.id, 'could not remove the parts of a closed upload session']],
    );

    storeDown = false;
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 0, released: 1 });
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
    assert.equal(await partsReleased(failing), true);
  });

  it('an abort, an expiry and a commit mark the parts released themselves: the sweep has nothing left to do', async () => {
    const aborted = await sessionWithParts();
    const committed = await sessionWithParts();
    const expiring = await sessionWithParts();
    await world.sessions.abort({ caller: world.alice, sessionId: aborted.id });
    await world.sessions.commit({ caller: world.alice, sessionId: committed.id });
    assert.equal(await partsReleased(aborted), true);
    assert.equal(await partsReleased(committed), true);

    clock.advance(TTL_MS + 1);
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 1, released: 0 });
    assert.equal(await partsReleased(expiring), true);

    let abortUploads = 0;
    const abortUpload = world.blobs.abortUpload.bind(world.blobs);
    world.blobs.abortUpload = (input) => {
      abortUploads += 1;
      return abortUpload(input);
    };
    clock.advance(GRACE_MS + 1);
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 0, released: 0 });
    assert.equal(abortUploads, 0);
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
  });

  it('a commit that fails after assembling the parts (they are consumed) leaves the session ABORTED with its parts released', async () => {
    const session = await sessionWithParts();
    world.metadata.files.createFile = async () => {
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'the database went away');
    };
    await assert.rejects(world.sessions.commit({ caller: world.alice, sessionId: session.id }), (error) => isDomainError(error, 'DEPENDENCY_UNAVAILABLE'));
    const closed = await world.metadata.sessions.getSession(session.id);
    assert.equal(closed?.state, 'ABORTED');
    assert.equal(closed?.partsReleased, true);
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
  });
});

describe('SessionService: the sweep rolls back a commit whose committer died (docs/decisions.md 51)', () => {
  let world: SessionWorld;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock();
    world = await startSessionWorld({ clock, ttlMs: TTL_MS, commitTiming: { staleMs: GRACE_MS, pollMs: 1, waitMs: 50 } });
  });
  afterEach(() => world.cleanup());

  const parts = [bytesOf(MiB), bytesOf(MiB + 3)];
  const sessionWithParts = async (): Promise<UploadSessionRecord> => {
    const session = await world.sessions.create({ caller: world.alice, name: 'big.bin', contentType: 'application/octet-stream' });
    for (const [position, bytes] of parts.entries())
      await world.sessions.putPart({ caller: world.alice, sessionId: session.id, index: position + 1, body: bodyOf(bytes) });
    return session;
  };
  /** What a committer that died right after its compare-and-set leaves: COMMITTING, never renewed. */
  const abandonCommit = async (session: UploadSessionRecord) => {
    assert.ok(await world.metadata.sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'COMMITTING', at: clock.now() }));
  };
  const stateOf = async (session: UploadSessionRecord) => (await world.metadata.sessions.getSession(session.id))?.state;

  it('after the lease lapses, by itself: OPEN again with its parts, and a retried commit stores the right bytes', async () => {
    const session = await sessionWithParts();
    await abandonCommit(session);
    const restarted = world.restart();

    clock.advance(GRACE_MS - 1);
    assert.deepEqual(await restarted.sweepExpired(), { rolledBack: 0, expired: 0, released: 0 }, 'within the lease the committer may be alive');
    assert.equal(await stateOf(session), 'COMMITTING');

    clock.advance(2);
    assert.deepEqual(await restarted.sweepExpired(), { rolledBack: 1, expired: 0, released: 0 });
    assert.equal(await stateOf(session), 'OPEN');
    assert.equal((await world.leftovers()).uploads.length, 1, 'the parts wait for a retry');
    assert.deepEqual(await restarted.sweepExpired(), { rolledBack: 0, expired: 0, released: 0 }, 'once');

    const { fileId } = await restarted.commit({ caller: world.alice, sessionId: session.id });
    assert.deepEqual(await world.readFile(fileId), Buffer.concat(parts));
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
  });

  it('a rolled-back session already past its expiry is expired by the same sweep, its parts removed; a retried commit is then 409', async () => {
    const session = await sessionWithParts();
    await abandonCommit(session);
    clock.advance(TTL_MS + 1);
    assert.deepEqual(await world.restart().sweepExpired(), { rolledBack: 1, expired: 1, released: 0 });
    assert.equal(await stateOf(session), 'EXPIRED');
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
    await assert.rejects(world.restart().commit({ caller: world.alice, sessionId: session.id }), (error) => isDomainError(error, 'SESSION_CLOSED'));
  });

  it('a live committer renews its lease: the sweep leaves its session alone however long the commit takes', async () => {
    const session = await sessionWithParts();
    await abandonCommit(session);
    // A heartbeat (sessionCommit.ts renews COMMITTING every staleMs / 4) just before the sweep.
    clock.advance(GRACE_MS + 1);
    await world.metadata.sessions.transitionSession({ id: session.id, from: 'COMMITTING', to: 'COMMITTING', at: clock.now() });
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 0, released: 0 });
    assert.equal(await stateOf(session), 'COMMITTING');
  });

  it('a rollback racing a renewal: the renewal it did not see wins (compare-and-set on updatedAt)', async () => {
    const session = await sessionWithParts();
    await abandonCommit(session);
    const seen = await world.metadata.sessions.getSession(session.id);
    clock.advance(1);
    await world.metadata.sessions.transitionSession({ id: session.id, from: 'COMMITTING', to: 'COMMITTING', at: clock.now() });
    const moved = await world.metadata.sessions.transitionSession({
      id: session.id,
      from: 'COMMITTING',
      to: 'OPEN',
      at: clock.now(),
      unchangedSince: seen!.updatedAt,
    });
    assert.equal(moved, undefined);
    assert.equal(await stateOf(session), 'COMMITTING');
  });
});

describe('SessionService: many sessions due at once are expired in batches (docs/decisions.md 179)', () => {
  let world: SessionWorld;
  let clock: ManualClock;
  let warnings: Array<{ object: any; message: string }>;
  beforeEach(async () => ({ world, clock, warnings } = await sweepWorld()));
  afterEach(() => world.cleanup());

  /** What a server down longer than the TTL finds: `count` OPEN sessions past their expiry, each with a staged upload. */
  const storeExpired = async (count: number): Promise<UploadSessionRecord[]> => {
    const sessions: UploadSessionRecord[] = [];
    for (let n = 0; n < count; n += 1) {
      const { uploadId } = await world.blobs.createUpload();
      const session: UploadSessionRecord = {
        id: newSessionId(),
        ownerId: world.alice.user.id,
        fileId: null,
        name: `due-${n}.bin`,
        description: '',
        contentType: 'application/octet-stream',
        state: 'OPEN',
        blobUploadId: uploadId,
        createdAt: clock.now() - TTL_MS - 1000,
        updatedAt: clock.now() - TTL_MS - 1000,
        expiresAt: clock.now() - 1000 + n,
        committedFileId: null,
        committedRevisionId: null,
        partsReleased: false,
      };
      await world.metadata.sessions.createSession(session);
      sessions.push(session);
    }
    return sessions;
  };
  const states = async (sessions: UploadSessionRecord[]) => {
    const counts: Record<string, number> = {};
    for (const session of sessions) {
      const stored = await world.metadata.sessions.getSession(session.id);
      const key = `${stored?.state}${stored?.partsReleased ? ' released' : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };

  it('250 sessions: three statements expire them, every staged upload is removed and recorded as such', async () => {
    const due = await storeExpired(250);
    const alive = await world.sessions.create({ caller: world.alice, name: 'alive.bin', contentType: 'application/octet-stream' });
    let expireCalls = 0;
    let markCalls = 0;
    const sessions = world.metadata.sessions;
    const expireSessions = sessions.expireSessions.bind(sessions);
    const markManyPartsReleased = sessions.markManyPartsReleased.bind(sessions);
    sessions.expireSessions = (input) => ((expireCalls += 1), expireSessions(input));
    sessions.markManyPartsReleased = (ids) => ((markCalls += 1), markManyPartsReleased(ids));

    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 250, released: 0 });
    assert.equal(expireCalls, 3, '100 + 100 + 50');
    assert.equal(markCalls, 3);
    assert.deepEqual(await states(due), { 'EXPIRED released': 250 });
    assert.deepEqual(await world.leftovers(), { uploads: [alive.blobUploadId], tmp: [] }, 'only the live session keeps its staged upload');
    assert.equal((await world.metadata.sessions.getSession(alive.id))?.state, 'OPEN');
    assert.deepEqual(warnings, []);
  });

  it('a staged upload that cannot be removed is logged and left unreleased; past the grace period a later sweep removes it', async () => {
    const due = await storeExpired(5);
    const abortUpload = world.blobs.abortUpload.bind(world.blobs);
    let storeDown = true;
    world.blobs.abortUpload = async (input) => {
      if (storeDown && input.uploadId === due[2].blobUploadId) throw new DomainError('DEPENDENCY_UNAVAILABLE', 'S3 is briefly down');
      return abortUpload(input);
    };
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 5, released: 0 });
    assert.deepEqual(await states(due), { 'EXPIRED released': 4, EXPIRED: 1 });
    assert.deepEqual(
      warnings.map(({ object, message }) => [object.sessionId, message]),
      [[due[2].id, 'could not remove the parts of an expired upload session']],
    );
    storeDown = false;
    clock.advance(GRACE_MS + 1);
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 0, released: 1 });
    assert.deepEqual(await states(due), { 'EXPIRED released': 5 });
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
  });

  it('a sweep told to stop ends after the batch in progress; the next sweep takes up the rest', async () => {
    const due = await storeExpired(150);
    const stopping = new AbortController();
    const abortUpload = world.blobs.abortUpload.bind(world.blobs);
    world.blobs.abortUpload = async (input) => {
      stopping.abort();
      return abortUpload(input);
    };
    assert.deepEqual(await world.sessions.sweepExpired({ signal: stopping.signal }), { rolledBack: 0, expired: 100, released: 0 });
    assert.deepEqual(await states(due), { 'EXPIRED released': 100, OPEN: 50 }, 'the batch begun is finished: its parts removed and recorded');
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 50, released: 0 });
    assert.deepEqual(await states(due), { 'EXPIRED released': 150 });
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
  });

  it('a part still arriving for a session the sweep expires is stopped and not stored', async () => {
    const session = await world.sessions.create({ caller: world.alice, name: 'slow.bin', contentType: 'application/octet-stream' });
    // A body that never ends: the part is in flight until something stops it.
    let reading = false;
    const body = new Readable({
      read() {
        reading = true;
      },
    });
    const part = world.sessions.putPart({ caller: world.alice, sessionId: session.id, index: 1, body }).then(
      () => 'stored',
      (error: unknown) => error,
    );
    body.push(Buffer.alloc(1024));
    await waitFor(() => reading, { what: 'the part to be read' });
    clock.advance(TTL_MS + 1);
    assert.deepEqual(await world.sessions.sweepExpired(), { rolledBack: 0, expired: 1, released: 0 });
    assert.ok(isDomainError(await part, 'SESSION_CLOSED'));
    assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
  });
});
