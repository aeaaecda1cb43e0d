// A part written behind the commit's back (another server, between the hash and the assembly)
// cannot change what the commit builds: the commit assembles exactly the part versions it recorded
// (docs/decisions.md 50), so the file and its recorded digests are the parts that were hashed.
// Before part versions, the commit's second pass (sessionCommit.ts, hashBlob) caught this case.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bodyOf, bytesOf, md5Hex, MiB, sha256Hex, startSessionWorld } from '../../../test/support/sessionWorld.js';

for (const hashing of ['workers', 'local'] as const) {
  describe(`a part rewritten behind a commit's back (hashing: ${hashing})`, () => {
    it('assembles the recorded parts, and records their MD5 and SHA-256', async () => {
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
        const built = Buffer.concat(parts);
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
