// Opens the metadata and blob stores a configuration names: SQLite + local disk in the data
// directory by default (embedded), PostgreSQL and/or S3 when their settings are given.
import path from 'node:path';
import type { StorageConfig } from '../config.js';
import type { BlobInventory } from '../core/ports/blobInventory.js';
import type { BlobStore } from '../core/ports/blobStore.js';
import { diskBlobInventory } from '../adapters/blob/diskInventory.js';
import type { MetadataStore } from '../core/ports/metadataStore.js';
import { openDiskBlobStore } from '../adapters/blob/diskBlobStore.js';
import { openPostgresMetadataStore } from '../adapters/metadata/openPostgresMetadataStore.js';
import { openSqliteMetadataStore } from '../adapters/metadata/openSqliteMetadataStore.js';
import { MissingDatabaseError } from '../adapters/metadata/missingDatabase.js';
import { startupError } from './dependencyErrors.js';

export interface Stores {
  metadata: MetadataStore;
  blobs: BlobStore;
  /** Whether other processes may share these stores (PostgreSQL or S3). */
  shared: boolean;
  close(): Promise<void>;
}

export const SQLITE_FILE = 'datafiles.sqlite';

export interface OpenOptions {
  /**
   * true: create and initialise the metadata database if needed, which only `serve` does
   * (docs/decisions.md 47). By default only an existing datafiles database is opened, and
   * MissingDatabaseError is thrown otherwise, so that no other command creates one by mistake.
   */
  create?: boolean;
  /** The caller holds the data directory's lock (src/server/dataDirectory.ts). */
  exclusiveDataDirectory?: boolean;
}

/** Whether these settings keep a store in the data directory (SQLite, local blobs, or both). */
export function usesDataDirectory(config: StorageConfig): boolean {
  return !config.databaseUrl || !config.s3;
}

// A failure to open names the dependency, its address and what to check (dependencyErrors.ts);
// a database that is not there (MissingDatabaseError) is the caller's to explain.
export async function openMetadataStore(config: StorageConfig, options: OpenOptions = {}): Promise<MetadataStore> {
  const create = options.create ?? false;
  const explain = (dependency: 'postgres' | 'sqlite', where: string) => (error: unknown) => {
    throw error instanceof MissingDatabaseError ? error : startupError(dependency, config, where, error);
  };
  if (config.databaseUrl) {
    const { databaseUrl } = config;
    return openPostgresMetadataStore({
      connectionString: databaseUrl,
      statementTimeoutMs: config.dependencyTimeoutMs,
      connectTimeoutMs: config.dependencyTimeoutMs,
      create,
    }).catch(explain('postgres', databaseUrl));
  }
  const file = path.join(config.dataDir, SQLITE_FILE);
  return openSqliteMetadataStore({ path: file, create }).catch(explain('sqlite', file));
}

export async function openBlobStore(config: StorageConfig, options: OpenOptions = {}): Promise<BlobStore> {
  if (config.s3) {
    // Loaded only when asked for, so the embedded server never loads the AWS SDK.
    const { openS3BlobStore } = await import('../adapters/blob/s3/s3BlobStore.js');
    return openS3BlobStore({ ...config.s3, requestTimeoutMs: config.dependencyTimeoutMs }).catch((error: unknown) => {
      throw startupError('s3', config, config.s3!.endpoint, error);
    });
  }
  const root = path.join(config.dataDir, 'files');
  return openDiskBlobStore({ root, exclusive: options.exclusiveDataDirectory ?? false, directWrites: config.directWrites }).catch((error: unknown) => {
    throw startupError('disk', config, root, error);
  });
}

/** Lists what the blob store holds (verify, and the server's stray upload sweep); close() releases it. */
export async function openBlobInventory(config: StorageConfig): Promise<BlobInventory & { close?(): void }> {
  if (config.s3) {
    const { openS3BlobInventory } = await import('../adapters/blob/s3/s3Inventory.js');
    return openS3BlobInventory({ ...config.s3, requestTimeoutMs: config.dependencyTimeoutMs });
  }
  return diskBlobInventory(path.join(config.dataDir, 'files'));
}

export async function openStores(config: StorageConfig, options: OpenOptions = {}): Promise<Stores> {
  const metadata = await openMetadataStore(config, options);
  let blobs: BlobStore;
  try {
    blobs = await openBlobStore(config, options);
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
