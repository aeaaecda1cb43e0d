// The staged-upload half of the BlobStore contract, run by blobStoreContract inside its own
// describe (so each test has a fresh store). Parts: independent, in any order, replaceable, then
// assembled in index order into one blob that reads like any other.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobStore } from '../../core/ports/blobStore.js';
import { assertRejectsWithCode, failingBody, randomData, readAll, sha256, stalledBody, SMALLEST_MULTIPART_PART, streamOf } from './blobStoreContractSupport.js';

/** Three parts of different sizes: two just over S3's minimum and a small last one. */
const partSizes = [SMALLEST_MULTIPART_PART + 3, SMALLEST_MULTIPART_PART + 65_537, 1_234];

export function stagedUploadContract(currentStore: () => BlobStore): void {
  describe('staged uploads', () => {
    const putParts = async (uploadId: string, parts: ReadonlyMap<number, Buffer>): Promise<void> => {
      // Started together, so the store sees them concurrently and not in index order.
      await Promise.all(
        [...parts].map(async ([index, data]) => {
          const stored = await currentStore().putPart({ uploadId, index, body: streamOf(data), sizeBytes: data.length });
          assert.equal(stored.sizeBytes, data.length);
        }),
      );
    };

    /** Uploads three parts in the order 3, 1, 2 and completes; returns the blob and its expected bytes. */
    const assembleThreeParts = async (): Promise<{ key: string; data: Buffer; parts: Buffer[] }> => {
      const store = currentStore();
      const parts = partSizes.map((size) => randomData(size));
      const { uploadId } = await store.createUpload();
      await putParts(
        uploadId,
        new Map([
          [3, parts[2]],
          [1, parts[0]],
          [2, parts[1]],
        ]),
      );
      const { key, sizeBytes } = await store.completeUpload({ uploadId, indexes: [1, 2, 3] });
      const data = Buffer.concat(parts);
      assert.equal(sizeBytes, data.length);
      return { key, data, parts };
    };

    it('parts put out of order and in parallel are assembled in index order', async () => {
      const { key, data } = await assembleThreeParts();
      assert.equal(sha256(await readAll(await currentStore().get({ key }))), sha256(data));
    });

    it('ranges of an assembled blob may start, end and span anywhere across part boundaries', async () => {
      const { key, data, parts } = await assembleThreeParts();
      const endOfFirst = parts[0].length - 1;
      const endOfSecond = endOfFirst + parts[1].length;
      const last = data.length - 1;
      const ranges: Array<[string, number, number]> = [
        ['inside the first part', 10, 1_000],
        ['the last byte of one part and the first of the next', endOfFirst, endOfFirst + 1],
        ['exactly the second part', endOfFirst + 1, endOfSecond],
        ['from inside the first part to inside the last', 5, last - 5],
        ['from inside the second part into the last', endOfSecond - 100, endOfSecond + 100],
        ['inside the last part', endOfSecond + 2, last - 1],
        ['the first byte', 0, 0],
        ['the last byte', last, last],
        ['the whole blob', 0, last],
      ];
      for (const [description, start, end] of ranges) {
        const bytes = await readAll(await currentStore().get({ key, range: { start, end } }));
        assert.equal(sha256(bytes), sha256(data.subarray(start, end + 1)), description);
      }
    });

    it('a replaced part is used instead of its first version', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const replacement = randomData(SMALLEST_MULTIPART_PART + 99);
      const lastPart = randomData(10);
      await putParts(
        uploadId,
        new Map([
          [1, randomData(SMALLEST_MULTIPART_PART + 1)],
          [2, lastPart],
        ]),
      );
      await putParts(uploadId, new Map([[1, replacement]]));
      assert.equal(sha256(await readAll(await store.getPart({ uploadId, index: 1 }))), sha256(replacement));
      const { key } = await store.completeUpload({ uploadId, indexes: [1, 2] });
      assert.equal(sha256(await readAll(await store.get({ key }))), sha256(Buffer.concat([replacement, lastPart])));
    });

    it('a part whose body fails is rejected and the previous version of that part stays', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const original = randomData(3_000);
      await putParts(uploadId, new Map([[1, original]]));
      await assert.rejects(store.putPart({ uploadId, index: 1, body: failingBody(100_000, new Error('connection reset')) }));
      assert.deepEqual(await readAll(await store.getPart({ uploadId, index: 1 })), original);
      const { key } = await store.completeUpload({ uploadId, indexes: [1] });
      assert.deepEqual(await readAll(await store.get({ key })), original);
    });

    it('aborting the signal while a part is arriving rejects putPart with the signal’s reason and keeps the previous part', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const original = randomData(2_000);
      await putParts(uploadId, new Map([[1, original]]));
      const controller = new AbortController();
      const reason = new Error('client went away');
      const putting = store.putPart({ uploadId, index: 1, body: stalledBody(50_000), signal: controller.signal });
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(putting, (error) => error === reason);
      assert.deepEqual(await readAll(await store.getPart({ uploadId, index: 1 })), original);
      await store.abortUpload({ uploadId });
    });

    it('getPart streams back the bytes of one part, and an index never uploaded fails with NOT_FOUND', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const second = randomData(7_777);
      await putParts(
        uploadId,
        new Map([
          [1, randomData(100)],
          [2, second],
        ]),
      );
      assert.deepEqual(await readAll(await store.getPart({ uploadId, index: 2 })), second);
      await assertRejectsWithCode(store.getPart({ uploadId, index: 3 }), 'NOT_FOUND');
      await store.abortUpload({ uploadId });
    });

    it('parts not listed at completion are left out of the blob', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const parts = partSizes.map((size) => randomData(size));
      await putParts(uploadId, new Map(parts.map((data, position) => [position + 1, data])));
      const { key, sizeBytes } = await store.completeUpload({ uploadId, indexes: [1, 3] });
      const expected = Buffer.concat([parts[0], parts[2]]);
      assert.equal(sizeBytes, expected.length);
      assert.equal(sha256(await readAll(await store.get({ key }))), sha256(expected));
    });

    it('an upload made only of small parts can still be completed, and reads across its boundaries', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const parts = [randomData(100), randomData(1), randomData(4_096), randomData(33)];
      await putParts(uploadId, new Map(parts.map((data, position) => [position + 1, data])));
      const { key, sizeBytes } = await store.completeUpload({ uploadId, indexes: [1, 2, 3, 4] });
      const data = Buffer.concat(parts);
      assert.equal(sizeBytes, data.length);
      assert.deepEqual(await readAll(await store.get({ key })), data);
      assert.deepEqual(await readAll(await store.get({ key, range: { start: 99, end: 102 } })), data.subarray(99, 103));
    });

    it('two uploads in progress at once keep their parts apart', async () => {
      const store = currentStore();
      const first = await store.createUpload();
      const second = await store.createUpload();
      assert.notEqual(first.uploadId, second.uploadId);
      const firstData = randomData(500);
      const secondData = randomData(600);
      await Promise.all([putParts(first.uploadId, new Map([[1, firstData]])), putParts(second.uploadId, new Map([[1, secondData]]))]);
      const firstBlob = await store.completeUpload({ uploadId: first.uploadId, indexes: [1] });
      const secondBlob = await store.completeUpload({ uploadId: second.uploadId, indexes: [1] });
      assert.deepEqual(await readAll(await store.get({ key: firstBlob.key })), firstData);
      assert.deepEqual(await readAll(await store.get({ key: secondBlob.key })), secondData);
    });

    it('putPart refuses an index outside 1–10,000 or not a whole number with INVALID_PART_INDEX', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      for (const index of [0, -1, 10_001, 1.5, Number.NaN]) {
        await assertRejectsWithCode(store.putPart({ uploadId, index, body: streamOf(Buffer.from('x')) }), 'INVALID_PART_INDEX');
      }
      const highest = await store.putPart({ uploadId, index: 10_000, body: streamOf(Buffer.from('x')) });
      assert.equal(highest.sizeBytes, 1);
      await store.abortUpload({ uploadId });
    });

    it('putPart to an upload id the store never issued fails with NOT_FOUND', async () => {
      await assertRejectsWithCode(currentStore().putPart({ uploadId: 'no-such-upload', index: 1, body: streamOf(Buffer.from('x')) }), 'NOT_FOUND');
    });

    it('abortUpload makes later putPart, getPart and completeUpload fail with NOT_FOUND, and aborting again is not an error', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      await putParts(uploadId, new Map([[1, randomData(1_000)]]));
      await store.abortUpload({ uploadId });
      await assertRejectsWithCode(store.putPart({ uploadId, index: 2, body: streamOf(randomData(10)) }), 'NOT_FOUND');
      await assertRejectsWithCode(store.getPart({ uploadId, index: 1 }), 'NOT_FOUND');
      await assertRejectsWithCode(store.completeUpload({ uploadId, indexes: [1] }), 'NOT_FOUND');
      await store.abortUpload({ uploadId });
    });

    it('completeUpload with an index that was never uploaded fails with BAD_REQUEST and the upload stays open', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const parts = [randomData(SMALLEST_MULTIPART_PART + 11), randomData(222)];
      await putParts(uploadId, new Map([[1, parts[0]]]));
      await assertRejectsWithCode(store.completeUpload({ uploadId, indexes: [1, 2] }), 'BAD_REQUEST');
      await putParts(uploadId, new Map([[2, parts[1]]]));
      const { key } = await store.completeUpload({ uploadId, indexes: [1, 2] });
      assert.equal(sha256(await readAll(await store.get({ key }))), sha256(Buffer.concat(parts)));
    });

    it('completeUpload with no indexes fails with BAD_REQUEST', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      await putParts(uploadId, new Map([[1, randomData(10)]]));
      await assertRejectsWithCode(store.completeUpload({ uploadId, indexes: [] }), 'BAD_REQUEST');
      await store.abortUpload({ uploadId });
    });

    it('a completed upload takes no more parts and cannot be completed twice', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      await putParts(uploadId, new Map([[1, randomData(10)]]));
      await store.completeUpload({ uploadId, indexes: [1] });
      await assertRejectsWithCode(store.putPart({ uploadId, index: 2, body: streamOf(randomData(10)) }), 'NOT_FOUND');
      await assertRejectsWithCode(store.completeUpload({ uploadId, indexes: [1] }), 'NOT_FOUND');
    });

    it('versions of a part live side by side: completion assembles exactly the named ones (docs/decisions.md 50)', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const recorded = randomData(SMALLEST_MULTIPART_PART + 5);
      const late = randomData(SMALLEST_MULTIPART_PART + 7);
      const last = randomData(33);
      await store.putPart({ uploadId, index: 1, version: '00000000000000a1', body: streamOf(recorded), sizeBytes: recorded.length });
      await store.putPart({ uploadId, index: 2, version: '00000000000000b2', body: streamOf(last) });
      // A later write of the same index (another server, while the commit runs) lands beside it.
      await store.putPart({ uploadId, index: 1, version: '00000000000000c3', body: streamOf(late), sizeBytes: late.length });
      assert.equal(sha256(await readAll(await store.getPart({ uploadId, index: 1, version: '00000000000000a1' }))), sha256(recorded));
      assert.equal(sha256(await readAll(await store.getPart({ uploadId, index: 1, version: '00000000000000c3' }))), sha256(late));
      await assertRejectsWithCode(store.getPart({ uploadId, index: 1 }), 'NOT_FOUND');
      await assertRejectsWithCode(store.completeUpload({ uploadId, indexes: [1, 2], versions: ['00000000000000a1', '00000000000000ff'] }), 'BAD_REQUEST');
      const { key, sizeBytes } = await store.completeUpload({ uploadId, indexes: [1, 2], versions: ['00000000000000a1', '00000000000000b2'] });
      const expected = Buffer.concat([recorded, last]);
      assert.equal(sizeBytes, expected.length);
      assert.equal(sha256(await readAll(await store.get({ key }))), sha256(expected));
      await assertRejectsWithCode(store.getPart({ uploadId, index: 1, version: '00000000000000c3' }), 'NOT_FOUND');
      await store.delete(key);
    });

    it('deletePart removes one version, leaves the others, and is idempotent, also after the upload is gone', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const kept = randomData(20);
      await store.putPart({ uploadId, index: 3, version: '1111111111111111', body: streamOf(randomData(10)) });
      await store.putPart({ uploadId, index: 3, version: '2222222222222222', body: streamOf(kept) });
      await store.deletePart({ uploadId, index: 3, version: '1111111111111111' });
      await store.deletePart({ uploadId, index: 3, version: '1111111111111111' });
      await assertRejectsWithCode(store.getPart({ uploadId, index: 3, version: '1111111111111111' }), 'NOT_FOUND');
      assert.equal(sha256(await readAll(await store.getPart({ uploadId, index: 3, version: '2222222222222222' }))), sha256(kept));
      await store.abortUpload({ uploadId });
      await store.deletePart({ uploadId, index: 3, version: '2222222222222222' });
    });

    it('a read of an assembled blob that started before its delete delivers every byte (docs/decisions.md 52)', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      const parts = [randomData(SMALLEST_MULTIPART_PART + 11), randomData(SMALLEST_MULTIPART_PART + 13), randomData(77)];
      for (const [position, data] of parts.entries()) await store.putPart({ uploadId, index: position + 1, body: streamOf(data), sizeBytes: data.length });
      const { key } = await store.completeUpload({ uploadId, indexes: [1, 2, 3] });
      const reading = await store.get({ key });
      const iterator = reading[Symbol.asyncIterator]();
      const head = await iterator.next();
      await store.delete(key);
      const chunks: Buffer[] = head.done ? [] : [Buffer.from(head.value as Uint8Array)];
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) chunks.push(Buffer.from(next.value as Uint8Array));
      assert.equal(sha256(Buffer.concat(chunks)), sha256(Buffer.concat(parts)));
      await assertRejectsWithCode(store.get({ key }), 'NOT_FOUND');
    });

    it('an assembled blob is deleted like any other, and deleting it again is not an error', async () => {
      const store = currentStore();
      const { uploadId } = await store.createUpload();
      await putParts(
        uploadId,
        new Map([
          [1, randomData(SMALLEST_MULTIPART_PART + 1)],
          [2, randomData(50)],
        ]),
      );
      const { key } = await store.completeUpload({ uploadId, indexes: [1, 2] });
      await store.delete(key);
      await assertRejectsWithCode(store.get({ key }), 'NOT_FOUND');
      await assertRejectsWithCode(store.get({ key, range: { start: 1, end: 2 } }), 'NOT_FOUND');
      await store.delete(key);
    });
  });
}
