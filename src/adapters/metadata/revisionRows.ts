// Writing a revision row: shared by uploads (fileStore.ts) and copies (fileCopies.ts).
import type { Transaction } from 'kysely';
import type { NewRevision } from '../../core/model.js';
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
