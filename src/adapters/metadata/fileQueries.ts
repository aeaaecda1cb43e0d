// Reads that return files together with their current revision, always in one query (a join on
// current_revision_id), so listing N files costs one round trip, not N + 1.
import type { InferResult, Kysely } from 'kysely';
import type { FileWithRevision, ReadableFilter } from '../../core/ports/metadataStore.js';
import { toFileRecord } from './rowMappers.js';
import type { MetadataDatabase } from './schema.js';

/** Stands in for "no limit": SQLite accepts OFFSET only after a LIMIT. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export function selectFilesWithCurrentRevision(db: Kysely<MetadataDatabase>) {
  return db
    .selectFrom('files as f')
    .innerJoin('revisions as r', 'r.id', 'f.current_revision_id')
    .select([
      'f.id',
      'f.name',
      'f.description',
      'f.owner_id',
      'f.public_access',
      'f.created_at',
      'f.current_revision_id',
      'r.id as revision_id',
      'r.blob_key as revision_blob_key',
      'r.size_bytes as revision_size_bytes',
      'r.md5 as revision_md5',
      'r.sha256 as revision_sha256',
      'r.content_type as revision_content_type',
      'r.upload_user_id as revision_upload_user_id',
      'r.upload_time_millis as revision_upload_time_millis',
      'r.uploaded_at as revision_uploaded_at',
      'r.scan_state as revision_scan_state',
    ]);
}

type FileWithRevisionRow = InferResult<ReturnType<typeof selectFilesWithCurrentRevision>>[number];

export function toFileWithRevision(row: FileWithRevisionRow): FileWithRevision {
  return {
    file: toFileRecord(row),
    currentRevision: {
      id: row.revision_id,
      fileId: row.id,
      blobKey: row.revision_blob_key,
      sizeBytes: row.revision_size_bytes,
      md5: row.revision_md5,
      sha256: row.revision_sha256,
      contentType: row.revision_content_type,
      uploadUserId: row.revision_upload_user_id,
      uploadTimeMillis: row.revision_upload_time_millis,
      uploadedAt: row.revision_uploaded_at,
      scanState: row.revision_scan_state,
    },
  };
}

/**
 * docs/decisions.md 15: "List returns the files the caller may read, ordered by dataFileId;
 * limitToOwned=true keeps those whose responsibleUserId is the caller."
 * Readable (docs/decisions.md 16, 19): the caller is an instance admin, owns the file, the file is
 * public, or an entry names the caller or one of its groups. The entry test is a correlated
 * EXISTS answered from file_permissions' primary key (file_id, entity_type, entity_id).
 */
export async function listReadableFiles(db: Kysely<MetadataDatabase>, filter: ReadableFilter): Promise<FileWithRevision[]> {
  if (filter.ids !== undefined && filter.ids.length === 0) return [];
  let query = selectFilesWithCurrentRevision(db);
  if (filter.ownedOnly) {
    query = query.where('f.owner_id', '=', filter.userId);
  } else if (!filter.isAdmin) {
    const { userId, groupIds } = filter;
    query = query.where((eb) =>
      eb.or([
        eb('f.owner_id', '=', userId),
        eb('f.public_access', '=', true),
        eb.exists(
          eb
            .selectFrom('file_permissions as e')
            .select('e.file_id')
            .whereRef('e.file_id', '=', 'f.id')
            .where((entry) => {
              const namesUser = entry.and([entry('e.entity_type', '=', 'USER'), entry('e.entity_id', '=', userId)]);
              if (groupIds.length === 0) return namesUser;
              return entry.or([namesUser, entry.and([entry('e.entity_type', '=', 'GROUP'), entry('e.entity_id', 'in', groupIds)])]);
            }),
        ),
      ]),
    );
  }
  if (filter.ids !== undefined) query = query.where('f.id', 'in', filter.ids);
  if (filter.ownerId !== undefined) query = query.where('f.owner_id', '=', filter.ownerId);
  query = query.orderBy('f.id');
  if (filter.limit !== undefined || filter.offset !== undefined) {
    query = query.limit(filter.limit ?? NO_LIMIT).offset(filter.offset ?? 0);
  }
  const rows = await query.execute();
  return rows.map(toFileWithRevision);
}
