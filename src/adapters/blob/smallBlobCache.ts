// Small blobs read lately, kept in this process's memory in front of a BlobStore
// (docs/decisions.md 182). A blob never changes under its key (every put and every assembled
// upload gets a new key), so an entry cannot go stale: a revision deleted on another server is
// gone from the metadata, which every download reads first, and its entry here only ages out.
// Only the downloads' reads come through here (src/server/services.ts): the scrub, `verify`, the
// scanner and commits read the store itself, since they are there to check its bytes.
import { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import type { BlobStore } from '../../core/ports/blobStore.js';
import { resolveRange } from './segmentedReads.js';

export interface SmallBlobCacheOptions {
  /** Bytes kept in all; the least recently read blobs go first. */
  maxBytes: number;
  /** Blobs larger than this are never kept. */
  maxEntryBytes: number;
  /** Told of every read the cache could serve: from memory (true) or from the store (false). */
  onRead?: (hit: boolean) => void;
}

export interface SmallBlobCache {
  readonly store: BlobStore;
  /** What the cache holds now (for metrics). */
  size(): { bytes: number; entries: number };
}

/** `store` with its small blobs' reads served from memory once read. */
export function withSmallBlobCache(store: BlobStore, options: SmallBlobCacheOptions): SmallBlobCache {
  const cache = new LRUCache<string, Buffer>({ maxSize: options.maxBytes, sizeCalculation: (bytes) => Math.max(1, bytes.byteLength) });
  const wrapped: BlobStore = {
    ...store,
    get: async (input) => {
      const { key, sizeBytes } = input;
      // Larger than the whole cache: lru-cache would not keep it, so it is not read whole for nothing.
      if (sizeBytes === undefined || sizeBytes === 0 || sizeBytes > options.maxEntryBytes || sizeBytes > options.maxBytes) return store.get(input);
      input.signal?.throwIfAborted();
      let bytes = cache.get(key);
      options.onRead?.(bytes !== undefined);
      if (bytes === undefined) {
        bytes = await readWhole(store, key, sizeBytes, input.signal);
        // Not the size on record: a damaged blob, read as the store has it and never kept.
        if (bytes === undefined) return store.get(input);
        cache.set(key, bytes);
      }
      const span = resolveRange(input.range, bytes.byteLength);
      return Readable.from(span ? [bytes.subarray(span.start, span.end + 1)] : [], { objectMode: false });
    },
    delete: async (key) => {
      cache.delete(key);
      await store.delete(key);
      // Again: a read that missed before the delete may have kept the bytes meanwhile.
      cache.delete(key);
    },
  };
  return { store: wrapped, size: () => ({ bytes: cache.calculatedSize, entries: cache.size }) };
}

/** The whole blob, or undefined when it is not `sizeBytes` long (never more than that is held). */
async function readWhole(store: BlobStore, key: string, sizeBytes: number, signal: AbortSignal | undefined): Promise<Buffer | undefined> {
  const stream = await store.get({ key, signal });
  // Its own memory, not a slice of Node's shared pool that would keep the pool alive with it.
  const bytes = Buffer.allocUnsafeSlow(sizeBytes);
  let filled = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      if (filled + chunk.byteLength > sizeBytes) return undefined;
      bytes.set(chunk, filled);
      filled += chunk.byteLength;
    }
  } catch (error) {
    // The stream fails with Node's AbortError; a read given a signal rejects with its reason
    // (src/core/ports/blobStore.ts), which the HTTP layer knows as the client gone.
    if (signal?.aborted) throw signal.reason;
    throw error;
  } finally {
    stream.destroy();
  }
  return filled === sizeBytes ? bytes : undefined;
}
