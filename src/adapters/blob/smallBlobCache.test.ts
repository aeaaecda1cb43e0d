// The small-blob cache in front of a store (docs/decisions.md 182): the BlobStore contract, then
// what only the cache promises: a small blob read once is read from memory after, a large one
// never is, what it holds stays within its bound, and a deleted blob is not served from memory.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BlobStore } from '../../core/ports/blobStore.js';
import { blobStoreContract } from './blobStore.contract.js';
import { assertRejectsWithCode, KiB, randomData, readAll, streamOf } from './blobStoreContractSupport.js';
import { openDiskBlobStore } from './diskBlobStore.js';
import { withSmallBlobCache, type SmallBlobCache } from './smallBlobCache.js';

const freshRoot = () => mkdtemp(path.join(tmpdir(), 'datafiles-blob-cache-'));

blobStoreContract('disk with the small-blob cache', async () => {
  const root = await freshRoot();
  const { store } = withSmallBlobCache(await openDiskBlobStore({ root }), { maxBytes: 1024 * KiB, maxEntryBytes: 256 * KiB });
  return { store, cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('the small-blob cache', () => {
  let root: string;
  let disk: BlobStore;
  /** Reads that reached the disk store. */
  let storeReads: number;
  const reads: boolean[] = [];
  const cached = (maxBytes: number, maxEntryBytes: number): SmallBlobCache => {
    const counting: BlobStore = {
      ...disk,
      get: (input) => {
        storeReads += 1;
        return disk.get(input);
      },
    };
    return withSmallBlobCache(counting, { maxBytes, maxEntryBytes, onRead: (hit) => reads.push(hit) });
  };

  beforeEach(async () => {
    root = await freshRoot();
    disk = await openDiskBlobStore({ root });
    storeReads = 0;
    reads.length = 0;
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('reads a small blob from the store once, then from memory, whole or in part', async () => {
    const { store } = cached(KiB * KiB, 64 * KiB);
    const data = randomData(4 * KiB);
    const { key } = await store.put({ body: streamOf(data) });
    assert.deepEqual(await readAll(await store.get({ key, sizeBytes: data.length })), data);
    assert.deepEqual(await readAll(await store.get({ key, sizeBytes: data.length })), data);
    assert.deepEqual(await readAll(await store.get({ key, sizeBytes: data.length, range: { start: 10, end: 19 } })), data.subarray(10, 20));
    assert.equal(storeReads, 1);
    assert.deepEqual(reads, [false, true, true]);
  });

  it('never keeps a blob larger than its limit, nor one read without its size', async () => {
    const { store, size } = cached(KiB * KiB, 4 * KiB);
    const data = randomData(4 * KiB + 1);
    const { key } = await store.put({ body: streamOf(data) });
    for (let round = 0; round < 2; round++) assert.deepEqual(await readAll(await store.get({ key, sizeBytes: data.length })), data);
    const small = await store.put({ body: streamOf(data.subarray(0, 100)) });
    await readAll(await store.get({ key: small.key }));
    assert.equal(storeReads, 3);
    assert.deepEqual(size(), { bytes: 0, entries: 0 });
  });

  it('holds at most its bound, dropping the blobs read longest ago', async () => {
    const { store, size } = cached(10 * KiB, 4 * KiB);
    const keys: string[] = [];
    for (let index = 0; index < 3; index++) {
      const { key } = await store.put({ body: streamOf(randomData(4 * KiB)) });
      keys.push(key);
      await readAll(await store.get({ key, sizeBytes: 4 * KiB }));
    }
    assert.deepEqual(size(), { bytes: 8 * KiB, entries: 2 });
    storeReads = 0;
    await readAll(await store.get({ key: keys[2], sizeBytes: 4 * KiB }));
    assert.equal(storeReads, 0, 'the newest is in memory');
    await readAll(await store.get({ key: keys[0], sizeBytes: 4 * KiB }));
    assert.equal(storeReads, 1, 'the oldest was dropped');
  });

  it('a blob whose size is not the one on record is served as the store has it, and not kept', async () => {
    const { store, size } = cached(KiB * KiB, 64 * KiB);
    const data = randomData(2 * KiB);
    const { key } = await store.put({ body: streamOf(data) });
    for (const recorded of [KiB, 3 * KiB]) assert.deepEqual(await readAll(await store.get({ key, sizeBytes: recorded })), data);
    assert.deepEqual(size(), { bytes: 0, entries: 0 });
  });

  it('a read from the store aborted midway rejects with the signal’s reason, as every store’s does', async () => {
    const stalled: BlobStore = {
      ...disk,
      get: async (input) => {
        let sent = false;
        const stream = new Readable({
          read() {
            if (!sent) this.push(Buffer.alloc(KiB));
            sent = true; // then nothing more: a store that stalls
          },
        });
        return input.signal ? addAbortSignal(input.signal, stream) : stream;
      },
    };
    const { store } = withSmallBlobCache(stalled, { maxBytes: KiB * KiB, maxEntryBytes: 64 * KiB });
    const controller = new AbortController();
    const reason = new Error('the client went away');
    const reading = store.get({ key: 'k', sizeBytes: 4 * KiB, signal: controller.signal });
    setImmediate(() => controller.abort(reason));
    await assert.rejects(reading, (error) => error === reason);
  });

  it('a blob deleted through the cache is not served from memory', async () => {
    const { store, size } = cached(KiB * KiB, 64 * KiB);
    const { key } = await store.put({ body: streamOf(randomData(KiB)) });
    await readAll(await store.get({ key, sizeBytes: KiB }));
    await store.delete(key);
    assert.deepEqual(size(), { bytes: 0, entries: 0 });
    await assertRejectsWithCode(store.get({ key, sizeBytes: KiB }), 'NOT_FOUND');
  });
});
