// The downloads' store with and without the small-file cache (docs/decisions.md 182), and the
// metrics an operator reads to size it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { openDiskBlobStore } from '../adapters/blob/diskBlobStore.js';
import { readAll, streamOf } from '../adapters/blob/blobStoreContractSupport.js';
import { downloadsStore } from './blobCache.js';

describe('the downloads’ store', () => {
  it('is the store itself, with no cache metrics, when --blob-cache-bytes is 0', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'datafiles-downloads-'));
    try {
      const store = await openDiskBlobStore({ root });
      const registry = new Registry();
      assert.equal(downloadsStore(store, { maxBytes: 0, maxEntryBytes: 1024 }, registry), store);
      assert.doesNotMatch(await registry.metrics(), /blob_cache/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('counts reads from memory and from the store, and shows what the cache holds', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'datafiles-downloads-'));
    try {
      const registry = new Registry();
      const store = downloadsStore(await openDiskBlobStore({ root }), { maxBytes: 1024 * 1024, maxEntryBytes: 1024 }, registry);
      const { key } = await store.put({ body: streamOf(Buffer.from('hello, cache')) });
      for (let read = 0; read < 3; read++) assert.equal((await readAll(await store.get({ key, sizeBytes: 12 }))).toString(), 'hello, cache');
      const text = await registry.metrics();
      assert.match(text, /^datafiles_blob_cache_reads_total\{source="store"\} 1$/m);
      assert.match(text, /^datafiles_blob_cache_reads_total\{source="memory"\} 2$/m);
      assert.match(text, /^datafiles_blob_cache_bytes 12$/m);
      assert.match(text, /^datafiles_blob_cache_entries 1$/m);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
