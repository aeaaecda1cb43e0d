// The session service over real stores (SQLite in memory, the disk blob store in a temp dir):
// docs/decisions.md 22–25 and docs/history.md, issue 3, without HTTP.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isDomainError, type ErrorCode } from '../errors.js';
import {
  bodyOf,
  bytesOf,
  failingBodyOf,
  ManualClock,
  md5Hex,
  MiB,
  sha256Hex,
  startSessionWorld,
  type SessionWorld,
} from '../../../test/support/sessionWorld.js';

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<any> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return isDomainError(error, code);
  });
  return caught;
}

describe('SessionService', () => {
  let world: SessionWorld;
  beforeEach(async () => {
    world = await startSessionWorld();
  });
  afterEach(() => world.cleanup());

  const newSession = (contentType = 'application/octet-stream') =>
    world.sessions.create({ caller: world.alice, name: 'big.bin', description: 'd', contentType });
  const put = (sessionId: string, index: number, bytes: Buffer, checksum?: string) =>
    world.sessions.putPart({ caller: world.alice, sessionId, index, body: bodyOf(bytes), sizeBytes: bytes.length, checksum });

  describe('creating a session', () => {
    it('validates name, description and contentType', async () => {
      const { alice } = world;
      await rejectsWith(world.sessions.create({ caller: alice, name: undefined, contentType: 'text/plain' }), 'INVALID_NAME');
      await rejectsWith(world.sessions.create({ caller: alice, name: '', contentType: 'text/plain' }), 'INVALID_NAME');
      await rejectsWith(world.sessions.create({ caller: alice, name: 'a', contentType: undefined }), 'INVALID_CONTENT_TYPE');
      await rejectsWith(world.sessions.create({ caller: alice, name: 'a', contentType: 'not a type' }), 'INVALID_CONTENT_TYPE');
      await rejectsWith(world.sessions.create({ caller: alice, name: 'a', description: 'x'.repeat(5000), contentType: 'text/plain' }), 'INVALID_DESCRIPTION');
      const session = await world.sessions.create({ caller: alice, name: ' "quoted" ', contentType: 'text/csv; charset=utf-8' });
      assert.equal(session.state, 'OPEN');
      assert.equal(session.name, ' "quoted" ');
      assert.equal(session.contentType, 'text/csv; charset=utf-8');
      assert.match(session.id, /^[A-Za-z0-9_-]{43}$/);
    });

    it('an update session needs READ_WRITE on an existing file', async () => {
      const file = await world.files.uploadFile({ caller: world.alice, name: 'f', publicAccess: true, content: { body: bodyOf(Buffer.from('v1')) } });
      await rejectsWith(world.sessions.createForUpdate({ caller: world.bob, fileId: file.file.id, name: 'f', contentType: 'text/plain' }), 'FORBIDDEN');
      await rejectsWith(world.sessions.createForUpdate({ caller: world.alice, fileId: 999, name: 'f', contentType: 'text/plain' }), 'FILE_NOT_FOUND');
      const session = await world.sessions.createForUpdate({ caller: world.alice, fileId: file.file.id, name: 'f', contentType: 'text/plain' });
      assert.equal(session.fileId, file.file.id);
    });
  });

  describe('parts and commit', () => {
    it('parts sent out of order and in parallel are assembled in index order, with the hashes of the whole file', async () => {
      const session = await newSession('application/pdf');
      const parts = [bytesOf(3 * MiB + 17), bytesOf(MiB), bytesOf(2 * MiB + 5), bytesOf(100)];
      await Promise.all([4, 2, 1, 3].map((index) => put(session.id, index, parts[index - 1])));
      const whole = Buffer.concat(parts);
      const { fileId, revisionId } = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      const details = await world.files.getFileDetails({ caller: world.alice, fileId, expand: new Set() });
      assert.equal(details.currentRevision.id, revisionId);
      assert.equal(details.currentRevision.sha256, sha256Hex(whole));
      assert.equal(details.currentRevision.md5, md5Hex(whole));
      assert.equal(details.currentRevision.sizeBytes, whole.length);
      assert.equal(details.currentRevision.contentType, 'application/pdf', "the session's declared type (docs/decisions.md 13)");
      assert.equal(details.file.name, 'big.bin');
      assert.equal(details.file.description, 'd');
      assert.ok((await world.readFile(fileId)).equals(whole));
      assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] }, 'no part files remain after the commit');
    });

    it('parts sent one after another in order are hashed as they arrive: the commit reads none back', async () => {
      const session = await newSession();
      const parts = [bytesOf(MiB), bytesOf(MiB), bytesOf(123)];
      for (const [position, bytes] of parts.entries()) await put(session.id, position + 1, bytes);
      assert.equal(world.sessions.wholeFileHasher.foldedThrough(session.id), 3);
      const { fileId } = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      assert.equal(world.blobs.partReads, 0);
      const details = await world.files.getFileDetails({ caller: world.alice, fileId, expand: new Set() });
      assert.equal(details.currentRevision.sha256, sha256Hex(Buffer.concat(parts)));
    });

    it('parts that arrive early are hashed from the store in the background once they are next in line', async () => {
      const session = await newSession();
      const parts = [bytesOf(MiB), bytesOf(MiB), bytesOf(MiB), bytesOf(7)];
      await put(session.id, 3, parts[2]);
      await put(session.id, 4, parts[3]);
      await put(session.id, 2, parts[1]);
      await put(session.id, 1, parts[0]);
      await world.sessions.wholeFileHasher.settled(session.id);
      assert.equal(world.sessions.wholeFileHasher.foldedThrough(session.id), 4);
      const readsBeforeCommit = world.blobs.partReads;
      const { fileId } = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      assert.equal(world.blobs.partReads, readsBeforeCommit, 'the commit itself read no part');
      const details = await world.files.getFileDetails({ caller: world.alice, fileId, expand: new Set() });
      assert.equal(details.currentRevision.sha256, sha256Hex(Buffer.concat(parts)));
    });

    it('after a restart (nothing in memory) the commit hashes from the store, correctly', async () => {
      const session = await newSession();
      const parts = [bytesOf(MiB), bytesOf(MiB + 1)];
      await put(session.id, 1, parts[0]);
      await put(session.id, 2, parts[1]);
      const restarted = world.restart();
      const { fileId } = await restarted.commit({ caller: world.alice, sessionId: session.id });
      const details = await world.files.getFileDetails({ caller: world.alice, fileId, expand: new Set() });
      assert.equal(details.currentRevision.sha256, sha256Hex(Buffer.concat(parts)));
      assert.equal(details.currentRevision.md5, md5Hex(Buffer.concat(parts)));
    });

    it('a replaced part is used instead of its first version, even one already hashed', async () => {
      const session = await newSession();
      const first = bytesOf(MiB);
      const replacement = bytesOf(MiB + 3);
      const second = bytesOf(500);
      await put(session.id, 1, first);
      await put(session.id, 2, second);
      await put(session.id, 1, replacement);
      const view = await world.sessions.get({ caller: world.alice, sessionId: session.id });
      assert.deepEqual(
        view.parts.map((part) => [part.index, part.sizeBytes, part.sha256]),
        [
          [1, replacement.length, sha256Hex(replacement)],
          [2, second.length, sha256Hex(second)],
        ],
      );
      const { fileId } = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      assert.ok((await world.readFile(fileId)).equals(Buffer.concat([replacement, second])));
      const details = await world.files.getFileDetails({ caller: world.alice, fileId, expand: new Set() });
      assert.equal(details.currentRevision.sha256, sha256Hex(Buffer.concat([replacement, second])));
    });

    it('a part whose checksum does not match is refused and the old part stays', async () => {
      const session = await newSession();
      const kept = bytesOf(1000);
      await put(session.id, 1, kept, sha256Hex(kept).toLowerCase());
      await rejectsWith(put(session.id, 1, bytesOf(1000), sha256Hex(kept)), 'CHECKSUM_MISMATCH');
      await rejectsWith(put(session.id, 2, bytesOf(10), '0'.repeat(64)), 'CHECKSUM_MISMATCH');
      await rejectsWith(put(session.id, 2, bytesOf(10), 'xyz'), 'BAD_REQUEST');
      const view = await world.sessions.get({ caller: world.alice, sessionId: session.id });
      assert.deepEqual(
        view.parts.map((part) => [part.index, part.sha256]),
        [[1, sha256Hex(kept)]],
      );
      assert.deepEqual((await world.leftovers()).tmp, [], 'the refused bodies left no temporary file');
      const { fileId } = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      assert.ok((await world.readFile(fileId)).equals(kept));
    });

    it('a part whose body fails is not recorded; the session stays usable', async () => {
      const session = await newSession();
      await assert.rejects(world.sessions.putPart({ caller: world.alice, sessionId: session.id, index: 1, body: failingBodyOf(bytesOf(5000)) }));
      assert.deepEqual((await world.sessions.get({ caller: world.alice, sessionId: session.id })).parts, []);
      const bytes = bytesOf(10);
      await put(session.id, 1, bytes);
      const { fileId } = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      assert.ok((await world.readFile(fileId)).equals(bytes));
    });

    it('part indexes are 1 to 10,000', async () => {
      const session = await newSession();
      for (const index of [0, 10_001, -1, 1.5, Number.NaN]) await rejectsWith(put(session.id, index, bytesOf(1)), 'INVALID_PART_INDEX');
      for (const index of ['abc', '', '1e3', '01x']) {
        await rejectsWith(world.sessions.putPart({ caller: world.alice, sessionId: session.id, index, body: bodyOf(bytesOf(1)) }), 'INVALID_PART_INDEX');
      }
      await put(session.id, 10_000, bytesOf(1));
    });

    it('a part larger than maxPartBytes is refused, announced or not', async () => {
      const small = await startSessionWorld({ maxPartBytes: 1000 });
      try {
        const session = await small.sessions.create({ caller: small.alice, name: 'x', contentType: 'text/plain' });
        await rejectsWith(
          small.sessions.putPart({ caller: small.alice, sessionId: session.id, index: 1, body: bodyOf(bytesOf(1001)), sizeBytes: 1001 }),
          'PAYLOAD_TOO_LARGE',
        );
        await rejectsWith(small.sessions.putPart({ caller: small.alice, sessionId: session.id, index: 1, body: bodyOf(bytesOf(5000)) }), 'PAYLOAD_TOO_LARGE');
        await small.sessions.putPart({ caller: small.alice, sessionId: session.id, index: 1, body: bodyOf(bytesOf(1000)) });
        assert.deepEqual((await small.leftovers()).tmp, []);
      } finally {
        await small.cleanup();
      }
    });

    it('a gap is 400 naming the missing indexes; the session stays open and commits once they arrive', async () => {
      const session = await newSession();
      await put(session.id, 1, bytesOf(10));
      await put(session.id, 4, bytesOf(10));
      const error = await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id }), 'MISSING_PARTS');
      assert.deepEqual(error.details, { missingParts: [2, 3] });
      assert.equal((await world.sessions.get({ caller: world.alice, sessionId: session.id })).session.state, 'OPEN');
      await put(session.id, 2, bytesOf(10));
      await put(session.id, 3, bytesOf(10));
      await world.sessions.commit({ caller: world.alice, sessionId: session.id });
    });

    it('an empty session cannot be committed', async () => {
      const session = await newSession();
      await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id }), 'NO_PARTS');
      assert.equal((await world.sessions.get({ caller: world.alice, sessionId: session.id })).session.state, 'OPEN');
    });

    it('totalParts and sha256 are checked when given', async () => {
      const session = await newSession();
      const parts = [bytesOf(100), bytesOf(200)];
      await put(session.id, 1, parts[0]);
      await put(session.id, 2, parts[1]);
      const tooMany = await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id, totalParts: 3 }), 'MISSING_PARTS');
      assert.deepEqual(tooMany.details, { missingParts: [3] });
      await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id, totalParts: 1 }), 'BAD_REQUEST');
      await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id, totalParts: 'two' }), 'BAD_REQUEST');
      await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id, sha256: 'A'.repeat(64) }), 'CHECKSUM_MISMATCH');
      await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id, sha256: 'nope' }), 'BAD_REQUEST');
      assert.equal((await world.sessions.get({ caller: world.alice, sessionId: session.id })).session.state, 'OPEN');
      const result = await world.sessions.commit({
        caller: world.alice,
        sessionId: session.id,
        totalParts: '2',
        sha256: sha256Hex(Buffer.concat(parts)).toLowerCase(),
      });
      assert.ok(result.fileId > 0);
    });

    it('a retried commit returns the same answer; concurrent commits yield one revision', async () => {
      const session = await newSession();
      await put(session.id, 1, bytesOf(MiB));
      await put(session.id, 2, bytesOf(MiB));
      const answers = await Promise.all(Array.from({ length: 5 }, () => world.sessions.commit({ caller: world.alice, sessionId: session.id })));
      const again = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      for (const answer of [...answers, again]) assert.deepEqual(answer, answers[0]);
      const revisions = await world.metadata.files.listRevisions([answers[0].fileId]);
      assert.equal(revisions.get(answers[0].fileId)?.length, 1);
      const mine = await world.metadata.files.listReadableFiles({ userId: world.alice.user.id, groupIds: [], isAdmin: false, ownedOnly: true });
      assert.equal(mine.length, 1, 'one file');
    });

    it('concurrent commits through two services (two servers) yield one revision', async () => {
      const session = await newSession();
      await put(session.id, 1, bytesOf(MiB));
      const other = world.restart();
      const answers = await Promise.all([
        world.sessions.commit({ caller: world.alice, sessionId: session.id }),
        other.commit({ caller: world.alice, sessionId: session.id }),
      ]);
      assert.deepEqual(answers[0], answers[1]);
      assert.equal((await world.metadata.files.listRevisions([answers[0].fileId])).get(answers[0].fileId)?.length, 1);
    });

    it('an update session adds a revision to its file', async () => {
      const { file } = await world.files.uploadFile({
        caller: world.alice,
        name: 'report',
        publicAccess: false,
        content: { body: bodyOf(Buffer.from('version 1')) },
      });
      const session = await world.sessions.createForUpdate({ caller: world.alice, fileId: file.id, name: 'report', contentType: 'text/plain' });
      const bytes = Buffer.from('version 2, sent as one part');
      await put(session.id, 1, bytes);
      const result = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      assert.equal(result.fileId, file.id);
      const details = await world.files.getFileDetails({ caller: world.alice, fileId: file.id, expand: new Set(['revisions']) });
      assert.equal(details.currentRevision.id, result.revisionId);
      assert.equal(details.revisions?.length, 2);
      assert.ok((await world.readFile(file.id)).equals(bytes));
    });

    it('an update session whose file was deleted meanwhile fails its commit before assembling anything; the session stays open', async () => {
      const { file } = await world.files.uploadFile({ caller: world.alice, name: 'doomed', publicAccess: false, content: { body: bodyOf(Buffer.from('v1')) } });
      const session = await world.sessions.createForUpdate({ caller: world.alice, fileId: file.id, name: 'doomed', contentType: 'text/plain' });
      await put(session.id, 1, bytesOf(10));
      await world.files.deleteFile({ caller: world.alice, fileId: file.id });
      await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id }), 'FILE_NOT_FOUND');
      // Checked before assembly: the parts are still there, the session still open.
      assert.equal((await world.sessions.get({ caller: world.alice, sessionId: session.id })).session.state, 'OPEN');
    });
  });

  describe('abort, ownership and expiry', () => {
    it('abort removes the parts; later parts and commits are 409; aborting again is harmless', async () => {
      const session = await newSession();
      await put(session.id, 1, bytesOf(MiB));
      await world.sessions.abort({ caller: world.alice, sessionId: session.id });
      assert.deepEqual(await world.leftovers(), { uploads: [], tmp: [] });
      await rejectsWith(put(session.id, 2, bytesOf(10)), 'SESSION_CLOSED');
      await rejectsWith(world.sessions.commit({ caller: world.alice, sessionId: session.id }), 'SESSION_CLOSED');
      await world.sessions.abort({ caller: world.alice, sessionId: session.id });
      const view = await world.sessions.get({ caller: world.alice, sessionId: session.id });
      assert.equal(view.session.state, 'ABORTED');
      assert.deepEqual(view.parts, []);
    });

    it('a committed session cannot be aborted', async () => {
      const session = await newSession();
      await put(session.id, 1, bytesOf(10));
      await world.sessions.commit({ caller: world.alice, sessionId: session.id });
      await rejectsWith(world.sessions.abort({ caller: world.alice, sessionId: session.id }), 'SESSION_CLOSED');
      await rejectsWith(put(session.id, 2, bytesOf(10)), 'SESSION_CLOSED');
    });

    it("another user's session, and an unknown id, are 404 for every operation", async () => {
      const session = await newSession();
      await put(session.id, 1, bytesOf(10));
      for (const sessionId of [session.id, 'A'.repeat(43), '../../etc', '']) {
        const bob = world.bob;
        await rejectsWith(world.sessions.putPart({ caller: bob, sessionId, index: 1, body: bodyOf(bytesOf(5)) }), 'SESSION_NOT_FOUND');
        await rejectsWith(world.sessions.commit({ caller: bob, sessionId }), 'SESSION_NOT_FOUND');
        await rejectsWith(world.sessions.abort({ caller: bob, sessionId }), 'SESSION_NOT_FOUND');
        await rejectsWith(world.sessions.get({ caller: bob, sessionId }), 'SESSION_NOT_FOUND');
      }
      assert.equal((await world.sessions.get({ caller: world.alice, sessionId: session.id })).parts.length, 1);
    });

    it('a session idle past its TTL expires: the sweep removes its parts; parts and commits are 409', async () => {
      const clock = new ManualClock();
      const timed = await startSessionWorld({ clock, ttlMs: 60_000 });
      try {
        const { sessions, alice } = timed;
        const idle = await sessions.create({ caller: alice, name: 'idle', contentType: 'text/plain' });
        const busy = await sessions.create({ caller: alice, name: 'busy', contentType: 'text/plain' });
        await sessions.putPart({ caller: alice, sessionId: idle.id, index: 1, body: bodyOf(bytesOf(100)) });
        clock.advance(50_000);
        // Each part pushes the expiry back (docs/decisions.md 24: "idle longer than").
        await sessions.putPart({ caller: alice, sessionId: busy.id, index: 1, body: bodyOf(bytesOf(100)) });
        clock.advance(20_000);
        assert.deepEqual(await sessions.sweepExpired(), { rolledBack: 0, expired: 1, released: 0 });
        assert.equal((await sessions.get({ caller: alice, sessionId: idle.id })).session.state, 'EXPIRED');
        assert.equal((await sessions.get({ caller: alice, sessionId: busy.id })).session.state, 'OPEN');
        assert.deepEqual((await timed.leftovers()).uploads, [busy.blobUploadId]);
        await rejectsWith(sessions.putPart({ caller: alice, sessionId: idle.id, index: 2, body: bodyOf(bytesOf(1)) }), 'SESSION_CLOSED');
        await rejectsWith(sessions.commit({ caller: alice, sessionId: idle.id }), 'SESSION_CLOSED');
        // Past its expiry but not swept yet: refused all the same, and expired on the spot.
        clock.advance(60_000);
        await rejectsWith(sessions.putPart({ caller: alice, sessionId: busy.id, index: 2, body: bodyOf(bytesOf(1)) }), 'SESSION_CLOSED');
        assert.equal((await sessions.get({ caller: alice, sessionId: busy.id })).session.state, 'EXPIRED');
        assert.deepEqual(await timed.leftovers(), { uploads: [], tmp: [] });
        assert.deepEqual(await sessions.sweepExpired(), { rolledBack: 0, expired: 0, released: 0 });
      } finally {
        await timed.cleanup();
      }
    });

    it('a commit whose committer died (COMMITTING, untouched for long) is taken over by a retry', async () => {
      const clock = new ManualClock();
      const timed = await startSessionWorld({ clock, commitTiming: { staleMs: 1000, pollMs: 10, waitMs: 200 } });
      try {
        const { sessions, alice, metadata } = timed;
        const session = await sessions.create({ caller: alice, name: 'x', contentType: 'text/plain' });
        const bytes = bytesOf(1000);
        await sessions.putPart({ caller: alice, sessionId: session.id, index: 1, body: bodyOf(bytes) });
        // A server crashed right after moving the session to COMMITTING.
        await metadata.sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'COMMITTING', at: clock.now() });
        await rejectsWith(sessions.commit({ caller: alice, sessionId: session.id }), 'CONFLICT');
        await rejectsWith(sessions.abort({ caller: alice, sessionId: session.id }), 'SESSION_CLOSED');
        clock.advance(5000);
        const { fileId } = await sessions.commit({ caller: alice, sessionId: session.id });
        assert.ok((await timed.readFile(fileId)).equals(bytes));
      } finally {
        await timed.cleanup();
      }
    });
  });

  it('hashing in this thread gives the same answers as in worker threads', async () => {
    const local = await startSessionWorld({ hashing: 'local' });
    try {
      const session = await local.sessions.create({ caller: local.alice, name: 'x', contentType: 'text/plain' });
      const parts = [bytesOf(MiB), bytesOf(10), bytesOf(MiB)];
      await Promise.all(
        [3, 1, 2].map((index) => local.sessions.putPart({ caller: local.alice, sessionId: session.id, index, body: bodyOf(parts[index - 1]) })),
      );
      const { fileId } = await local.sessions.commit({ caller: local.alice, sessionId: session.id });
      const details = await local.files.getFileDetails({ caller: local.alice, fileId, expand: new Set() });
      assert.equal(details.currentRevision.sha256, sha256Hex(Buffer.concat(parts)));
      assert.equal(details.currentRevision.md5, md5Hex(Buffer.concat(parts)));
    } finally {
      await local.cleanup();
    }
  });
});
