// The small-blob cache options of `datafiles serve` (docs/decisions.md 182). Parsed by
// src/config.ts with the other serve options; kept apart so that file stays small.

export interface BlobCacheConfig {
  /** Bytes of small blobs kept in memory for downloads; 0: no cache. */
  maxBytes: number;
  /** Blobs larger than this are always read from the store. */
  maxEntryBytes: number;
}

const MiB = 1024 * 1024;

export const BLOB_CACHE_OPTIONS = {
  'blob-cache-bytes': {
    env: 'DATAFILES_BLOB_CACHE_BYTES',
    description: 'memory for small files downloaded lately, served again without reading the store (0: off)',
    default: String(32 * MiB),
  },
  'blob-cache-max-file-bytes': {
    env: 'DATAFILES_BLOB_CACHE_MAX_FILE_BYTES',
    description: 'files larger than this are never kept in the small-file cache',
    default: String(64 * 1024),
  },
} as const;

export function parseBlobCacheConfig(
  get: (name: keyof typeof BLOB_CACHE_OPTIONS) => string | undefined,
  integer: (name: string, text: string | undefined, range: { min: number; max: number }) => number,
  fail: (message: string) => never,
): BlobCacheConfig {
  const maxBytes = integer('blob-cache-bytes', get('blob-cache-bytes'), { min: 0, max: 64 * 1024 * MiB });
  const maxEntryBytes = integer('blob-cache-max-file-bytes', get('blob-cache-max-file-bytes'), { min: 1, max: 64 * MiB });
  if (maxBytes > 0 && maxEntryBytes > maxBytes) fail(`--blob-cache-max-file-bytes (${maxEntryBytes}) cannot exceed --blob-cache-bytes (${maxBytes})`);
  return { maxBytes, maxEntryBytes };
}
