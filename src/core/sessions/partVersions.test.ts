// Recording a part version whose statement's outcome is unknown (docs/decisions.md 184): found by
// the randomized fault history (test/fault-history.test.ts, seed 4e316ab51c21), where a commit
// answered "Parts 1 were never uploaded" for a part the client had been told was stored.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { bodyOf, bytesOf, sha256Hex, startSessionWorld, type SessionWorld } from '../../../test/support/sessionWorld.js';
import { DomainError, isDomainError } from '../errors.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import { recordPartVersion } from './partVersions.js';
import { newPartVersion } from './sessionIds.js';

describe('recording a part version', () => {
  let world: SessionWorld;
  beforeEach(async () => {
    world = await startSessionWorld();
  });
  afterEach(() => world.cleanup());

  /** A session with one part version stored (not yet recorded), and the blob store's deletes of part versions. */
  const storedPart = async () => {
    const session = await world.sessions.create({ caller: world.alice, name: 'p.bin', contentType: 'application/octet-stream' });
    const bytes = bytesOf(1000);
    const blobVersion = newPartVersion();
    await world.blobs.putPart({ uploadId: session.blobUploadId, index: 1, version: blobVersion, body: bodyOf(bytes), sizeBytes: bytes.length });
    const deleted: string[] = [];
    const blobs: BlobStore = Object.create(world.blobs);
    blobs.deletePart = (input) => {
      deleted.push(input.version ?? '');
      return world.blobs.deletePart(input);
    };
    const part = { index: 1, sizeBytes: bytes.length, sha256: sha256Hex(bytes), uploadedAt: Date.now(), blobVersion };
    return { session, bytes, blobVersion, blobs, deleted, part };
  };
  /** The metadata store, with the part's statement failing as `fail` says, after (true) or instead of (false) writing. */
  const failingPutPart = (error: Error, wrote: boolean): MetadataStore => ({
    ...world.metadata,
    sessions: {
      ...world.metadata.sessions,
      putPart: async (input) => {
        if (wrote) await world.metadata.sessions.putPart(input);
        throw error;
      },
    },
  });

  it('a recording whose answer was lost (DEPENDENCY_UNAVAILABLE) keeps its bytes: the statement may have committed, and here it did', async () => {
    const { session, bytes, blobs, deleted, part } = await storedPart();
    const lost = failingPutPart(new DomainError('DEPENDENCY_UNAVAILABLE', 'the database did not answer in time'), true);
    await assert.rejects(
      recordPartVersion({ metadata: lost, blobs }, { sessionId: session.id, uploadId: session.blobUploadId, part, expiresAt: Date.now() + 60_000 }),
      (error) => isDomainError(error, 'DEPENDENCY_UNAVAILABLE'),
    );
    assert.deepEqual(deleted, [], 'the version the row may name is kept');
    const { fileId } = await world.sessions.commit({ caller: world.alice, sessionId: session.id });
    assert.deepEqual(await world.readFile(fileId), bytes);
  });

  it('a recording surely refused (SESSION_CLOSED) removes the version it stored', async () => {
    const { session, blobs, deleted, part, blobVersion } = await storedPart();
    const refused = failingPutPart(new DomainError('SESSION_CLOSED'), false);
    await assert.rejects(
      recordPartVersion({ metadata: refused, blobs }, { sessionId: session.id, uploadId: session.blobUploadId, part, expiresAt: Date.now() + 60_000 }),
      (error) => isDomainError(error, 'SESSION_CLOSED'),
    );
    assert.deepEqual(deleted, [blobVersion]);
  });
});
