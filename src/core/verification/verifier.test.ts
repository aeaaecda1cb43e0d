// verifyStores against a run that races deletes (docs/decisions.md 105): a blob gone because its
// last revision was deleted while verify ran is no finding; one whose revision is still there is
// missing. (The end-to-end cases on both backends are in test/verify-cli.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localHasher } from '../../adapters/hashing/localHasher.js';
import { DomainError } from '../errors.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { VerificationStore, VerifiedRevision } from '../ports/verificationStore.js';
import { verifyStores } from './verifier.js';

function run(input: { rows: VerifiedRevision[]; stillReferenced: boolean }) {
  let page = 0;
  const metadata: VerificationStore = {
    totals: async () => ({ blobs: 1, bytes: 0 }),
    revisionsByBlob: async () => (page++ === 0 ? input.rows : []),
    referencedBlobKeys: async (keys) => new Set(input.stillReferenced ? keys : []),
    knownUploadIds: async () => new Set(),
    committingSessions: async () => [],
    markCorrupt: async () => undefined,
  };
  const blobs = {
    get: async () => {
      throw new DomainError('NOT_FOUND');
    },
  } as unknown as BlobStore;
  const empty = async function* () {};
  return verifyStores(
    { metadata, blobs, inventory: { blobs: empty, uploads: empty }, hasher: localHasher, clock: { now: () => Date.now() }, sleep: async () => undefined },
    { repair: false, graceMs: 0, listLimit: 10 },
  );
}

const row: VerifiedRevision = { id: 7, fileId: 3, blobKey: 'a'.repeat(32), sizeBytes: 5, md5: 'X', sha256: 'Y', corruptAt: null };

describe('verifyStores and concurrent deletes', () => {
  it('does not report the bytes of a revision deleted while it ran', async () => {
    const report = await run({ rows: [row], stillReferenced: false });
    assert.equal(report.ok, true);
    assert.equal(report.missing.count, 0);
  });

  it('reports the missing bytes of a revision that is still there', async () => {
    const report = await run({ rows: [row], stillReferenced: true });
    assert.equal(report.ok, false);
    assert.deepEqual(report.missing.items, [{ revisionId: 7, fileId: 3, blobKey: row.blobKey }]);
  });
});
