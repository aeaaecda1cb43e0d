// Found by the fault history (test/fault-history.test.ts): a metadata commit that fails with
// DEPENDENCY_UNAVAILABLE (our side timed out on a frozen PostgreSQL) may still land when the
// database resumes. The write path used to delete the bytes it had stored whenever the commit
// threw, so a late-landing row named missing bytes. Now the bytes are deleted only after a sure
// failure, and otherwise left to the orphan sweep (docs/decisions.md 142). Real SQLite and disk;
// the store's commit is wrapped to land and then report the timeout, as a late commit does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyOf, bytesOf, sha256Hex, startSessionWorld, type SessionWorld } from '../../../test/support/sessionWorld.js';
import { DomainError } from '../errors.js';

/** Makes the store's next createFile commit and then fail as a timed-out statement does. */
function landThenTimeOut(world: SessionWorld): void {
  const files = world.metadata.files;
  const createFile = files.createFile.bind(files);
  files.createFile = async (input) => {
    files.createFile = createFile;
    await createFile(input);
    throw new DomainError('DEPENDENCY_UNAVAILABLE');
  };
}

async function onlyFile(world: SessionWorld): Promise<number> {
  const listed = await world.files.listFiles({ caller: world.alice, limitToOwned: true, expand: new Set() });
  assert.equal(listed.length, 1);
  return listed[0].file.id;
}

describe('a metadata commit that may yet land keeps its bytes', () => {
  it('an upload whose commit timed out but landed: the file is whole', async () => {
    const world = await startSessionWorld({ hashing: 'local' });
    try {
      landThenTimeOut(world);
      const bytes = bytesOf(70_000);
      await assert.rejects(
        world.files.uploadFile({ caller: world.alice, name: 'late.bin', publicAccess: false, content: { body: bodyOf(bytes) } }),
        (error) => error instanceof DomainError && error.code === 'DEPENDENCY_UNAVAILABLE',
      );
      assert.equal(sha256Hex(await world.readFile(await onlyFile(world))), sha256Hex(bytes));
    } finally {
      await world.cleanup();
    }
  });

  it('a multipart commit whose row timed out but landed: the file is whole', async () => {
    const world = await startSessionWorld({ hashing: 'local' });
    try {
      const session = await world.sessions.create({ caller: world.alice, name: 'late-parts.bin', contentType: 'application/octet-stream' });
      const parts = [bytesOf(40_000), bytesOf(30_001)];
      for (const [position, bytes] of parts.entries()) {
        await world.sessions.putPart({ caller: world.alice, sessionId: session.id, index: position + 1, body: bodyOf(bytes) });
      }
      landThenTimeOut(world);
      await assert.rejects(world.sessions.commit({ caller: world.alice, sessionId: session.id }));
      assert.equal(sha256Hex(await world.readFile(await onlyFile(world))), sha256Hex(Buffer.concat(parts)));
    } finally {
      await world.cleanup();
    }
  });

  it('a commit that surely failed still leaves nothing behind', async () => {
    const world = await startSessionWorld({ hashing: 'local' });
    try {
      const files = world.metadata.files;
      files.createFile = async () => {
        throw new DomainError('QUOTA_EXCEEDED');
      };
      await assert.rejects(world.files.uploadFile({ caller: world.alice, name: 'refused.bin', publicAccess: false, content: { body: bodyOf(bytesOf(5000)) } }));
      const stored: string[] = [];
      for await (const key of world.blobs.listBlobs({ writtenBefore: Date.now() + 60_000 })) stored.push(key);
      assert.deepEqual(stored, []);
    } finally {
      await world.cleanup();
    }
  });
});
