// Every PostgreSQL migration, in order. Listed statically (not read from the filesystem) because
// the code runs compiled from dist/, where the .ts names no longer exist.
import type { Migration } from 'kysely';
import { initialPostgresMigration } from './001_initial.js';
import { partMd5DroppedMigration } from '../002_partMd5Dropped.js';
import { sessionPartsReleasedMigration } from '../003_sessionPartsReleased.js';
import { sessionsByOwnerMigration } from '../004_sessionsByOwner.js';
import { tokenRecordsMigration } from '../005_tokenRecords.js';
import { auditEventsMigration } from '../006_auditEvents.js';
import { userQuotasMigration } from '../007_userQuotas.js';
import { sessionPartVersionsMigration } from '../008_sessionPartVersions.js';
import { scanQueueMigration } from '../009_scanQueue.js';
import { revisionCorruptMigration } from '../010_revisionCorrupt.js';
import { signInCodesMigration } from '../011_signInCodes.js';

export const postgresMigrations: Record<string, Migration> = {
  '001_initial': initialPostgresMigration,
  '002_part_md5_dropped': partMd5DroppedMigration,
  '003_session_parts_released': sessionPartsReleasedMigration('postgres'),
  '004_sessions_by_owner': sessionsByOwnerMigration,
  '005_token_records': tokenRecordsMigration('postgres'),
  '006_audit_events': auditEventsMigration('postgres'),
  '007_user_quotas': userQuotasMigration('postgres'),
  '008_session_part_versions': sessionPartVersionsMigration,
  '009_scan_queue': scanQueueMigration,
  '010_revision_corrupt': revisionCorruptMigration,
  '011_sign_in_codes': signInCodesMigration('postgres'),
};
