// Rows (snake_case, 0/1 or true/false booleans) into the domain's records.
import type { Selectable } from 'kysely';
import type { FileRecord, Group, PermissionEntry, RevisionRecord, SessionPart, UploadSessionRecord, User } from '../../core/model.js';
import type { FilePermissionsTable, FilesTable, RevisionsTable, UploadSessionPartsTable, UploadSessionsTable, UserGroupsTable, UsersTable } from './schema.js';

export function toUser(row: Selectable<UsersTable>): User {
  return { id: row.id, name: row.name, isAdmin: Boolean(row.is_admin), createdAt: row.created_at };
}

export function toGroup(row: Selectable<UserGroupsTable>): Group {
  return { id: row.id, name: row.name };
}

export function toFileRecord(row: Selectable<FilesTable>): FileRecord {
  if (row.current_revision_id === null) {
    // Only possible inside createFile's own transaction; seeing it anywhere else is a bug.
    throw new Error(`file ${row.id} has no current revision`);
  }
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    ownerId: row.owner_id,
    publicAccess: Boolean(row.public_access),
    createdAt: row.created_at,
    currentRevisionId: row.current_revision_id,
  };
}

export function toRevisionRecord(row: Selectable<RevisionsTable>): RevisionRecord {
  return {
    id: row.id,
    fileId: row.file_id,
    blobKey: row.blob_key,
    sizeBytes: row.size_bytes,
    md5: row.md5,
    sha256: row.sha256,
    contentType: row.content_type,
    uploadUserId: row.upload_user_id,
    uploadTimeMillis: row.upload_time_millis,
    uploadedAt: row.uploaded_at,
    scanState: row.scan_state,
    // Only when set, so a sound revision's record is what it always was.
    ...(row.corrupt_at === null || row.corrupt_at === undefined ? {} : { corruptAt: Number(row.corrupt_at) }),
  };
}

export function toPermissionEntry(row: Pick<Selectable<FilePermissionsTable>, 'entity_type' | 'entity_id' | 'grant_name' | 'pass'>): PermissionEntry {
  return { entityType: row.entity_type, entityId: row.entity_id, grant: row.grant_name, pass: row.pass };
}

export function toSessionRecord(row: Selectable<UploadSessionsTable>): UploadSessionRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    fileId: row.file_id,
    name: row.name,
    description: row.description,
    contentType: row.content_type,
    state: row.state,
    blobUploadId: row.blob_upload_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    committedFileId: row.committed_file_id,
    committedRevisionId: row.committed_revision_id,
    partsReleased: Boolean(row.parts_released),
  };
}

export function toSessionPart(row: Selectable<UploadSessionPartsTable>): SessionPart {
  const part: SessionPart = { index: row.part_index, sizeBytes: row.size_bytes, sha256: row.sha256, uploadedAt: row.uploaded_at };
  if (row.blob_version !== null) part.blobVersion = row.blob_version;
  return part;
}
