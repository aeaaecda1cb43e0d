// The commit's second pass (sessionCommit.ts, hashBlob): when the file the blob store assembled is
// not the size the whole-file hash covered (a part replaced behind the commit's back, by another
// server), the commit hashes what was built, through the Hasher port, and records those digests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyOf, bytesOf, md5Hex, MiB, sha256Hex, startSessionWorld } from '../../../test/support/sessionWorld.js';

for (const hashing of ['workers', 'local'] as const) {
  describe(`a commit whose assembled file differs from what it hashed (hashing: ${hashing})`, () => {
    it('records the MD5 and SHA-256 of the bytes it assembled', async () => {
      const world = await startSessionWorld({ hashing });
      try {
        const session = await world.sessions.create({ caller: world.alice, name: 'raced.bin', contentType: 'application/octet-stream' });
        const parts = [bytesOf(2 * MiB), bytesOf(MiB + 3)];
        for (const [position, bytes] of parts.entries()) {
          await world.sessions.putPart({ caller: world.alice, sessionId: session.id, index: position + 1, body: bodyOf(bytes) });
        }
        // Another server replaces part 2 with a longer one between the hash and the assembly.
        const replacement = bytesOf(MiB + 1000);
        const completeUpload = world.blobs.completeUpload.bind(world.blobs);
        world.blobs.completeUpload = async (input) => {
          await world.blobs.putPart({ uploadId: input.uploadId, index: 2, body: bodyOf(replacement) });
          return completeUpload(input);
        };
        const { fileId } = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
        const built = Buffer.concat([parts[0], replacement]);
        assert.ok((await world.readFile(fileId)).equals(built));
        const details = await world.files.getFileDetails({ caller: world.alice, fileId, expand: new Set() });
        assert.equal(details.currentRevision.sizeBytes, built.length);
        assert.equal(details.currentRevision.sha256, sha256Hex(built));
        assert.equal(details.currentRevision.md5, md5Hex(built));
      } finally {
        await world.cleanup();
      }
    });
  });
}
