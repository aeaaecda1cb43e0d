// The BlobStore contract (docs/architecture.md, "One contract test suite per port"): every
// implementation runs this same suite unchanged, and a new backend is done when it passes. It uses
// only the port, never the backend underneath, so it states what callers may rely on.
//
// Each test gets a fresh store from `makeStore`; the suite closes the store before `cleanup`.
// Staged-upload tests use parts of 5 MiB and more (except the last) so that an S3 store exercises
// its native multipart upload; one test uses only small parts, which a store must handle too.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BlobStore } from '../../core/ports/blobStore.js';
import { stagedUploadContract } from './stagedUpload.contract.js';
import {
  abortedSignal,
  assertRejectsWithCode,
  asyncChunksOf,
  failingBody,
  KiB,
  MiB,
  randomData,
  readAll,
  sha256,
  stalledAsyncBody,
  stalledBody,
  streamOf,
} from './blobStoreContractSupport.js';

export type MakeBlobStore = () => Promise<{ store: BlobStore; cleanup: () => Promise<void> }>;

export function blobStoreContract(name: string, makeStore: MakeBlobStore): void {
  describe(`BlobStore contract: ${name}`, { timeout: 120_000 }, () => {
    let store: BlobStore;
    let cleanup: () => Promise<void>;
    const currentStore = (): BlobStore => store;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    describe('put and get', () => {
      it('an empty body round-trips as a blob of 0 bytes', async () => {
        const stored = await store.put({ body: streamOf(Buffer.alloc(0)) });
        assert.equal(stored.sizeBytes, 0);
        assert.equal((await readAll(await store.get({ key: stored.key }))).length, 0);
      });

      it('a small body round-trips byte for byte', async () => {
        const data = Buffer.from('Hello, Domo files! \u00e9\u4e2d\n');
        const stored = await store.put({ body: streamOf(data) });
        assert.equal(stored.sizeBytes, data.length);
        assert.deepEqual(await readAll(await store.get({ key: stored.key })), data);
      });

      it('a multi-MiB body round-trips with the same SHA-256', async () => {
        const data = randomData(3 * MiB + 7);
        const stored = await store.put({ body: streamOf(data), sizeHint: data.length });
        assert.equal(stored.sizeBytes, data.length);
        assert.equal(sha256(await readAll(await store.get({ key: stored.key }))), sha256(data));
      });

      it('a body given as a plain async iterable of chunks is stored like a stream', async () => {
        const data = randomData(300 * KiB + 1);
        const stored = await store.put({ body: asyncChunksOf(data, 10 * KiB) });
        assert.equal(sha256(await readAll(await store.get({ key: stored.key }))), sha256(data));
      });

      it('every put gets a new key, even for identical bytes', async () => {
        const data = randomData(1 * KiB);
        const first = await store.put({ body: streamOf(data) });
        const second = await store.put({ body: streamOf(data) });
        assert.notEqual(first.key, second.key);
      });
    });

    describe('byte ranges (inclusive)', () => {
      const data = randomData(100 * KiB + 3);
      const last = data.length - 1;
      const readRange = async (start: number, end: number): Promise<Buffer> => {
        const stored = await currentStore().put({ body: streamOf(data) });
        return readAll(await currentStore().get({ key: stored.key, range: { start, end } }));
      };

      it('the range {0, 0} is the first byte', async () => {
        assert.deepEqual(await readRange(0, 0), data.subarray(0, 1));
      });

      it('the range {size-1, size-1} is the last byte', async () => {
        assert.deepEqual(await readRange(last, last), data.subarray(last));
      });

      it('a range in the middle is exactly those bytes, both ends included', async () => {
        assert.deepEqual(await readRange(1_234, 56_789), data.subarray(1_234, 56_790));
      });

      it('the range {0, size-1} is the whole blob', async () => {
        assert.equal(sha256(await readRange(0, last)), sha256(data));
      });

      it('a range ending past the last byte stops at the last byte', async () => {
        assert.deepEqual(await readRange(last - 9, last + 1_000), data.subarray(last - 9));
      });

      it('a range starting past the last byte fails with RANGE_NOT_SATISFIABLE', async () => {
        const stored = await store.put({ body: streamOf(data) });
        await assertRejectsWithCode(store.get({ key: stored.key, range: { start: data.length, end: data.length + 10 } }), 'RANGE_NOT_SATISFIABLE');
      });
    });

    describe('reads that name the size on record (what downloads pass)', () => {
      const data = randomData(100 * KiB + 3);
      const last = data.length - 1;

      it('give the same bytes and ranges as without it, read after read', async () => {
        const stored = await store.put({ body: streamOf(data) });
        const read = async (range?: { start: number; end: number }) => readAll(await store.get({ key: stored.key, range, sizeBytes: data.length }));
        for (let round = 0; round < 2; round++) {
          assert.equal(sha256(await read()), sha256(data));
          assert.deepEqual(await read({ start: 0, end: 0 }), data.subarray(0, 1));
          assert.deepEqual(await read({ start: 1_234, end: 56_789 }), data.subarray(1_234, 56_790));
          assert.deepEqual(await read({ start: last - 9, end: last + 1_000 }), data.subarray(last - 9));
          await assertRejectsWithCode(
            store.get({ key: stored.key, range: { start: data.length, end: data.length }, sizeBytes: data.length }),
            'RANGE_NOT_SATISFIABLE',
          );
        }
      });

      it('fail with NOT_FOUND once the blob is deleted, even right after a read', async () => {
        const stored = await store.put({ body: streamOf(data.subarray(0, 4 * KiB)) });
        assert.deepEqual(await readAll(await store.get({ key: stored.key, sizeBytes: 4 * KiB })), data.subarray(0, 4 * KiB));
        await store.delete(stored.key);
        await assertRejectsWithCode(store.get({ key: stored.key, sizeBytes: 4 * KiB }), 'NOT_FOUND');
      });

      it('with a signal aborted before they start, reject with its reason', async () => {
        const stored = await store.put({ body: streamOf(data.subarray(0, KiB)) });
        await readAll(await store.get({ key: stored.key, sizeBytes: KiB }));
        const reason = new Error('download cancelled');
        await assert.rejects(store.get({ key: stored.key, sizeBytes: KiB, signal: abortedSignal(reason) }), (error) => error === reason);
      });
    });

    describe('listBlobs', () => {
      const listed = async (writtenBefore: number): Promise<string[]> => {
        const keys: string[] = [];
        for await (const key of store.listBlobs({ writtenBefore })) keys.push(key);
        return keys;
      };

      it('lists the blobs written before the cut-off, and not those written after it or deleted', async () => {
        const first = await store.put({ body: streamOf(randomData(KiB)) });
        const second = await store.put({ body: streamOf(randomData(0)) });
        const deleted = await store.put({ body: streamOf(randomData(KiB)) });
        await store.delete(deleted.key);
        const now = Date.now();
        // An hour either way: wider than any store's timestamp resolution (S3 has whole seconds).
        assert.deepEqual((await listed(now + 3_600_000)).sort(), [first.key, second.key].sort());
        assert.deepEqual(await listed(now - 3_600_000), []);
      });

      it('lists a blob assembled from staged parts, and no staged upload still open', async () => {
        const { uploadId } = await store.createUpload();
        await store.putPart({ uploadId, index: 1, body: streamOf(randomData(KiB)), sizeBytes: KiB });
        const open = await store.createUpload();
        await store.putPart({ uploadId: open.uploadId, index: 1, body: streamOf(randomData(KiB)), sizeBytes: KiB });
        const assembled = await store.completeUpload({ uploadId, indexes: [1] });
        assert.deepEqual(await listed(Date.now() + 3_600_000), [assembled.key]);
        await store.abortUpload({ uploadId: open.uploadId });
      });

      it('an aborted signal stops the listing with its reason', async () => {
        await store.put({ body: streamOf(randomData(KiB)) });
        const reason = new Error('stopping');
        await assert.rejects(
          async () => {
            for await (const key of store.listBlobs({ writtenBefore: Date.now() + 3_600_000, signal: abortedSignal(reason) })) assert.fail(`listed ${key}`);
          },
          (error) => error === reason,
        );
      });
    });

    describe('missing blobs and delete', () => {
      it('get of a key the store never issued fails with NOT_FOUND', async () => {
        await assertRejectsWithCode(store.get({ key: 'no-such-key' }), 'NOT_FOUND');
      });

      it('delete makes get fail with NOT_FOUND, and deleting again is not an error', async () => {
        const stored = await store.put({ body: streamOf(randomData(4 * KiB)) });
        await store.delete(stored.key);
        await assertRejectsWithCode(store.get({ key: stored.key }), 'NOT_FOUND');
        await assertRejectsWithCode(store.get({ key: stored.key, range: { start: 0, end: 0 } }), 'NOT_FOUND');
        await store.delete(stored.key);
      });

      it('deleting one blob leaves the others readable', async () => {
        const kept = randomData(2 * KiB);
        const keptBlob = await store.put({ body: streamOf(kept) });
        const deletedBlob = await store.put({ body: streamOf(randomData(2 * KiB)) });
        await store.delete(deletedBlob.key);
        assert.deepEqual(await readAll(await store.get({ key: keptBlob.key })), kept);
      });
    });

    describe('failed and cancelled writes leave nothing behind', () => {
      it('a fresh store has no temporary leftovers to sweep', async () => {
        assert.equal(await store.sweepTemporary({ olderThanMs: 0 }), 0);
      });

      it('a body that errors midway rejects put, and no temporary leftover remains', async () => {
        const failure = new Error('connection reset by client');
        await assert.rejects(store.put({ body: failingBody(1 * MiB + 5, failure) }));
        assert.equal(await store.sweepTemporary({ olderThanMs: 0 }), 0);
      });

      it('a signal aborted before put starts rejects with the signal’s reason', async () => {
        const reason = new Error('request cancelled');
        await assert.rejects(store.put({ body: streamOf(randomData(KiB)), signal: abortedSignal(reason) }), (error) => error === reason);
        assert.equal(await store.sweepTemporary({ olderThanMs: 0 }), 0);
      });

      it('aborting the signal while the body is arriving rejects put with the signal’s reason, and no temporary leftover remains', async () => {
        const controller = new AbortController();
        const reason = new Error('client went away');
        const putting = store.put({ body: stalledBody(256 * KiB), signal: controller.signal });
        setTimeout(() => controller.abort(reason), 50);
        await assert.rejects(putting, (error) => error === reason);
        assert.equal(await store.sweepTemporary({ olderThanMs: 0 }), 0);
      });

      it('aborting the signal while a plain async-iterable body is stalled also rejects put with the signal’s reason', async () => {
        const controller = new AbortController();
        const reason = new Error('client went away');
        const putting = store.put({ body: stalledAsyncBody(64 * KiB), signal: controller.signal });
        setTimeout(() => controller.abort(reason), 50);
        await assert.rejects(putting, (error) => error === reason);
        assert.equal(await store.sweepTemporary({ olderThanMs: 0 }), 0);
      });

      it('a signal aborted before get starts rejects with the signal’s reason', async () => {
        const stored = await store.put({ body: streamOf(randomData(KiB)) });
        const reason = new Error('download cancelled');
        await assert.rejects(store.get({ key: stored.key, signal: abortedSignal(reason) }), (error) => error === reason);
      });

      it('aborting the signal while reading makes the stream fail', async () => {
        const stored = await store.put({ body: streamOf(randomData(2 * MiB)) });
        const controller = new AbortController();
        const stream = await store.get({ key: stored.key, signal: controller.signal });
        await assert.rejects(async () => {
          for await (const _chunk of stream) controller.abort(new Error('download cancelled'));
        });
      });
    });

    stagedUploadContract(currentStore);

    describe('health', () => {
      it('ping succeeds on an open store', async () => {
        await store.ping();
      });
    });
  });
}
