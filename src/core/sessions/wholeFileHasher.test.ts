// The whole-file hash cache on its own: parts "stored" in a Map, read back by a plain function.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { localHasher } from '../../adapters/hashing/localHasher.js';
import { WorkerHasher } from '../../adapters/hashing/workerHasher.js';
import { isDomainError } from '../errors.js';
import type { Hasher } from '../ports/hasher.js';
import { WholeFileHasher, type PartSummary } from './wholeFileHasher.js';
import { waitFor } from '../../../test/support/waitFor.js';

const hex = (algorithm: string, bytes: Uint8Array) => createHash(algorithm).update(bytes).digest('hex').toUpperCase();

/** A tiny part store, and the hasher reading from it. */
function setUp(engine: Hasher = localHasher, options: { maxSessions?: number } = {}) {
  const stored = new Map<number, Buffer>();
  let reads = 0;
  const hasher = new WholeFileHasher(
    async ({ index }) => {
      reads += 1;
      const bytes = stored.get(index);
      if (!bytes) throw new Error(`no part ${index}`);
      return (async function* () {
        for (let offset = 0; offset < bytes.length; offset += 1000) yield bytes.subarray(offset, offset + 1000);
      })();
    },
    engine,
    options,
  );
  const summary = (index: number): PartSummary => ({ index, sizeBytes: stored.get(index)!.length, sha256: hex('sha256', stored.get(index)!) });
  /** Stores a part as putPart does: announce, stream through the tap, store, report. */
  const put = async (index: number, bytes: Buffer, sessionId = 's') => {
    const { tap } = hasher.partStarted({ sessionId, uploadId: 'u', index });
    for (let offset = 0; offset < bytes.length; offset += 777) await tap?.update(bytes.subarray(offset, offset + 777));
    stored.set(index, bytes);
    hasher.partStored({ sessionId, part: summary(index), tap });
  };
  const digest = (count: number, sessionId = 's') =>
    hasher.digest({ sessionId, uploadId: 'u', parts: Array.from({ length: count }, (_, position) => summary(position + 1)) });
  const whole = (count: number) => Buffer.concat(Array.from({ length: count }, (_, position) => stored.get(position + 1)!));
  return { hasher, stored, put, digest, whole, reads: () => reads };
}

const pool = new WorkerHasher();
after(() => pool.close());

for (const [engine, newDigest] of [
  ['this thread', localHasher],
  ['worker threads', pool],
] as const) {
  describe(`WholeFileHasher (hashing in ${engine})`, () => {
    it('parts in order are folded as they stream: the digest reads nothing', async () => {
      const { hasher, put, digest, whole, reads } = setUp(newDigest);
      for (let index = 1; index <= 5; index++) await put(index, randomBytes(10_000 + index));
      assert.equal(hasher.foldedThrough('s'), 5);
      const result = await digest(5);
      assert.equal(reads(), 0);
      assert.deepEqual(result, { sizeBytes: whole(5).length, sha256: hex('sha256', whole(5)), md5: hex('md5', whole(5)) });
    });

    it('parts out of order are folded in the background, reading each once', async () => {
      const { hasher, put, digest, whole, reads } = setUp(newDigest);
      for (const index of [4, 2, 3, 1]) await put(index, randomBytes(5000));
      await hasher.settled('s');
      assert.equal(hasher.foldedThrough('s'), 4);
      assert.equal(reads(), 3, 'parts 2, 3 and 4 read back once each; part 1 hashed as it arrived');
      assert.equal((await digest(4)).sha256, hex('sha256', whole(4)));
      assert.equal(reads(), 3);
    });

    it('replacing a part already folded starts the running hash again; the digest is still right', async () => {
      const { hasher, put, digest, whole, reads } = setUp(newDigest);
      await put(1, randomBytes(3000));
      await put(2, randomBytes(3000));
      assert.equal(hasher.foldedThrough('s'), 2);
      await put(1, randomBytes(4000));
      assert.equal(hasher.foldedThrough('s'), 1, 'the new part 1 only');
      assert.equal((await digest(2)).sha256, hex('sha256', whole(2)));
      assert.equal(reads(), 1, 'part 2 read back at the digest');
    });

    it('a folded prefix that is not the recorded parts is not used', async () => {
      const { put, digest, stored, whole } = setUp(newDigest);
      await put(1, randomBytes(3000));
      await put(2, randomBytes(3000));
      // Replaced elsewhere (another server): this process never heard of it.
      stored.set(2, randomBytes(3000));
      assert.equal((await digest(2)).sha256, hex('sha256', whole(2)));
    });

    it('a part that changed since it was recorded is a CONFLICT, not a wrong hash', async () => {
      const { hasher, stored } = setUp(newDigest);
      stored.set(1, randomBytes(100));
      const recorded = { index: 1, sizeBytes: 100, sha256: hex('sha256', stored.get(1)!) };
      stored.set(1, randomBytes(100));
      await assert.rejects(hasher.digest({ sessionId: 'x', uploadId: 'u', parts: [recorded] }), (error) => isDomainError(error, 'CONFLICT'));
    });

    it('keeps at most maxSessions sessions', async () => {
      const { hasher, put } = setUp(newDigest, { maxSessions: 3 });
      for (const sessionId of ['a', 'b', 'c', 'd', 'e']) await put(1, randomBytes(10), sessionId);
      assert.equal(hasher.size, 3);
      assert.equal(hasher.foldedThrough('a'), 0);
      assert.equal(hasher.foldedThrough('e'), 1);
    });
  });
}

describe('WholeFileHasher when its hashing engine fails', () => {
  it('hashes the parts again with a new state: the digest is right and nothing hangs', async () => {
    const engine = new WorkerHasher({ maxWorkers: 2 });
    try {
      const { hasher, put, digest, whole, reads } = setUp(engine);
      await put(1, randomBytes(3 * 1024 * 1024));
      await put(2, randomBytes(2 * 1024 * 1024));
      assert.equal(hasher.foldedThrough('s'), 2);
      // The workers holding the running state die (killed: an out-of-memory, a crash).
      await Promise.all(engine.threads.map((worker) => worker.terminate()));
      await put(3, randomBytes(1024 * 1024 + 5));
      assert.deepEqual(await digest(3), { sizeBytes: whole(3).length, sha256: hex('sha256', whole(3)), md5: hex('md5', whole(3)) });
      assert.ok(reads() >= 2, 'the parts hashed before the failure were read again');
    } finally {
      await engine.close();
    }
  });
});

describe('a background read that fails (issue 10, item 16)', () => {
  it('is not retried in a loop: the part is left to the commit, and the background settles', async () => {
    let reads = 0;
    const hasher = new WholeFileHasher(async () => {
      // Fails as a store does for a part that is gone, after a turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      reads += 1;
      throw new Error('no such part');
    }, localHasher);
    const { tap } = hasher.partStarted({ sessionId: 's', uploadId: 'u', index: 2 });
    hasher.partStored({ sessionId: 's', part: { index: 2, sizeBytes: 5, sha256: 'A'.repeat(64) }, tap });
    // Listed by the metadata store (another server stored it), but gone from the blob store.
    hasher.markStored('s', [{ index: 1, sizeBytes: 5, sha256: 'B'.repeat(64) }]);
    let settled = false;
    void hasher.settled('s').then(() => (settled = true));
    await waitFor(() => settled, { timeoutMs: 2000, what: `the background to settle (it kept reading: ${reads} reads)` });
    assert.equal(reads, 1, 'one read, not a loop');
    assert.equal(hasher.foldedThrough('s'), 0);
  });
});
