// Writing file and revision rows: shared by uploads (fileStore.ts) and copies (fileCopies.ts).
import type { Transaction } from 'kysely';
import type { NewRevision } from '../../core/model.js';
import type { FileWithRevision } from '../../core/ports/metadataStore.js';
import { toFileRecord, toRevisionRecord } from './rowMappers.js';
import type { MetadataDatabase } from './schema.js';

export function insertRevision(trx: Transaction<MetadataDatabase>, fileId: number, revision: NewRevision) {
  return trx
    .insertInto('revisions')
    .values({
      file_id: fileId,
      blob_key: revision.blobKey,
      size_bytes: revision.sizeBytes,
      md5: revision.md5,
      sha256: revision.sha256,
      content_type: revision.contentType,
      upload_user_id: revision.uploadUserId,
      upload_time_millis: revision.uploadTimeMillis,
      uploaded_at: revision.uploadedAt,
      scan_state: revision.scanState,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A new file with its first revision, owned by `ownerId` with READ_WRITE_DELETE_SHARE_ADMIN
 * (docs/decisions.md 19): an upload's new file, and a duplicate (whose source's entries are not
 * copied, docs/decisions.md 82).
 */
export async function insertOwnedFile(
  trx: Transaction<MetadataDatabase>,
  file: { name: string; description: string; ownerId: number; publicAccess: boolean; createdAt: number },
  revision: NewRevision,
): Promise<FileWithRevision> {
  const row = await trx
    .insertInto('files')
    .values({
      name: file.name,
      description: file.description,
      owner_id: file.ownerId,
      public_access: file.publicAccess,
      created_at: file.createdAt,
      current_revision_id: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const inserted = await insertRevision(trx, row.id, revision);
  await trx.updateTable('files').set({ current_revision_id: inserted.id }).where('id', '=', row.id).execute();
  await trx
    .insertInto('file_permissions')
    .values({ file_id: row.id, entity_type: 'USER', entity_id: file.ownerId, grant_name: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' })
    .execute();
  return { file: toFileRecord({ ...row, current_revision_id: inserted.id }), currentRevision: toRevisionRecord(inserted) };
}
