// The small-blob cache of downloads (docs/decisions.md 182) and its metrics on GET /metrics: reads
// served from memory or from the store (the hit ratio is one over the sum), and what it holds.
import { Counter, Gauge, type Registry } from 'prom-client';
import { withSmallBlobCache } from '../adapters/blob/smallBlobCache.js';
import type { BlobCacheConfig } from '../blobCacheConfig.js';
import type { BlobStore } from '../core/ports/blobStore.js';

/** The store downloads read through: `store` itself when the cache is off. */
export function downloadsStore(store: BlobStore, config: BlobCacheConfig, registry: Registry): BlobStore {
  if (config.maxBytes === 0) return store;
  const reads = new Counter({
    name: 'datafiles_blob_cache_reads_total',
    help: 'Downloads of files small enough for the small-file cache, by where their bytes came from (memory or store)',
    labelNames: ['source'],
    registers: [registry],
  });
  const cache = withSmallBlobCache(store, {
    maxBytes: config.maxBytes,
    maxEntryBytes: config.maxEntryBytes,
    onRead: (hit) => reads.inc({ source: hit ? 'memory' : 'store' }),
  });
  new Gauge({
    name: 'datafiles_blob_cache_bytes',
    help: 'Bytes of small files the cache holds now',
    registers: [registry],
    collect() {
      this.set(cache.size().bytes);
    },
  });
  new Gauge({
    name: 'datafiles_blob_cache_entries',
    help: 'Small files the cache holds now',
    registers: [registry],
    collect() {
      this.set(cache.size().entries);
    },
  });
  return cache.store;
}
