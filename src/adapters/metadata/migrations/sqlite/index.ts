// Every SQLite migration, in order. Listed statically (not read from the filesystem) because the
// code runs compiled from dist/, where the .ts names no longer exist.
import type { Migration } from 'kysely';
import { initialSqliteMigration } from './001_initial.js';
import { partMd5DroppedMigration } from '../002_partMd5Dropped.js';
import { sessionPartsReleasedMigration } from '../003_sessionPartsReleased.js';
import { scanQueueMigration } from '../004_scanQueue.js';

export const sqliteMigrations: Record<string, Migration> = {
  '001_initial': initialSqliteMigration,
  '002_part_md5_dropped': partMd5DroppedMigration,
  '003_session_parts_released': sessionPartsReleasedMigration('sqlite'),
  '004_scan_queue': scanQueueMigration,
};
