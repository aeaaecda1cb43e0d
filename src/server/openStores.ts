// Opens the metadata and blob stores a configuration names: SQLite + local disk in the data
// directory by default (embedded), PostgreSQL and/or S3 when their settings are given.
import path from 'node:path';
import type { StorageConfig } from '../config.js';
import type { BlobStore } from '../core/ports/blobStore.js';
import type { MetadataStore } from '../core/ports/metadataStore.js';
import { openDiskBlobStore } from '../adapters/blob/diskBlobStore.js';
import { openPostgresMetadataStore } from '../adapters/metadata/openPostgresMetadataStore.js';
import { openSqliteMetadataStore } from '../adapters/metadata/openSqliteMetadataStore.js';
import { startupError } from './dependencyErrors.js';

export interface Stores {
  metadata: MetadataStore;
  blobs: BlobStore;
  /** Whether other processes may share these stores (then no start-up sweep of fresh temporaries). */
  shared: boolean;
  close(): Promise<void>;
}

export const SQLITE_FILE = 'datafiles.sqlite';

// A failure to open names the dependency, its address and what to check (dependencyErrors.ts).
export async function openMetadataStore(config: StorageConfig): Promise<MetadataStore> {
  if (config.databaseUrl) {
    const { databaseUrl } = config;
    return openPostgresMetadataStore({ connectionString: databaseUrl, statementTimeoutMs: config.dependencyTimeoutMs, connectTimeoutMs: config.dependencyTimeoutMs }).catch((error: unknown) => {
      throw startupError('postgres', config, databaseUrl, error);
    });
  }
  const file = path.join(config.dataDir, SQLITE_FILE);
  return openSqliteMetadataStore({ path: file }).catch((error: unknown) => {
    throw startupError('sqlite', config, file, error);
  });
}

export async function openBlobStore(config: StorageConfig): Promise<BlobStore> {
  if (config.s3) {
    // Loaded only when asked for, so the embedded server never loads the AWS SDK.
    const { openS3BlobStore } = await import('../adapters/blob/s3/s3BlobStore.js');
    return openS3BlobStore({ ...config.s3, requestTimeoutMs: config.dependencyTimeoutMs }).catch((error: unknown) => {
      throw startupError('s3', config, config.s3!.endpoint, error);
    });
  }
  const root = path.join(config.dataDir, 'files');
  return openDiskBlobStore({ root }).catch((error: unknown) => {
    throw startupError('disk', config, root, error);
  });
}

export async function openStores(config: StorageConfig): Promise<Stores> {
  const metadata = await openMetadataStore(config);
  let blobs: BlobStore;
  try {
    blobs = await openBlobStore(config);
  } catch (error) {
    await metadata.close();
    throw error;
  }
  return {
    metadata,
    blobs,
    shared: Boolean(config.databaseUrl || config.s3),
    async close() {
      await Promise.allSettled([metadata.close(), blobs.close()]);
    },
  };
}
