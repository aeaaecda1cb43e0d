// Reads that return files together with their current revision, always in one query (a join on
// current_revision_id), so listing N files costs one round trip, not N + 1.
import type { ExpressionBuilder, InferResult, Kysely } from 'kysely';
import type { FileWithRevision, ReadableFilter } from '../../core/ports/metadataStore.js';
import { toFileRecord } from './rowMappers.js';
import type { FilesTable, MetadataDatabase } from './schema.js';

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
      'r.corrupt_at as revision_corrupt_at',
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
      ...(row.revision_corrupt_at === null || row.revision_corrupt_at === undefined ? {} : { corruptAt: Number(row.revision_corrupt_at) }),
    },
  };
}

/**
 * docs/decisions.md 15: "List returns the files the caller may read, ordered by dataFileId;
 * limitToOwned=true keeps those whose responsibleUserId is the caller."
 * Readable (docs/decisions.md 16, 19): the caller is an instance admin, owns the file, the file is
 * public, or an entry names the caller or one of its groups.
 *
 * docs/decisions.md 151: every plan walks an index in id order, so a page costs what it returns,
 * not what the instance holds. The caller's whole list is the union of four index ranges (owned:
 * files_by_owner; public: files_public (migration 012); named: file_permissions_by_entity, for the
 * user and for its groups), each cut at the page's end, then joined to the files. A filter by ids
 * or by owner is already narrow: it keeps a correlated test, driven by the primary key or
 * files_by_owner. test/query-plans.test.ts checks these plans on both databases.
 */
export async function listReadableFiles(db: Kysely<MetadataDatabase>, filter: ReadableFilter): Promise<FileWithRevision[]> {
  if (filter.ids !== undefined && filter.ids.length === 0) return [];
  // What the caller owns is never shared with it.
  if (filter.ownedOnly && filter.sharedOnly) return [];
  const rows = await readableFilesQuery(db, filter).execute();
  return rows.map(toFileWithRevision);
}

/** The list's query, not run (test/query-plans.test.ts explains it). */
export function readableFilesQuery(db: Kysely<MetadataDatabase>, filter: ReadableFilter) {
  let query = selectFilesWithCurrentRevision(db);
  const afterId = filter.afterId ?? 0;
  if (filter.ownedOnly) {
    query = query.where('f.owner_id', '=', filter.userId);
  } else if (filter.sharedOnly) {
    query = query
      .innerJoin(sharedIds(db, filter, afterId, filter.limit === undefined ? undefined : filter.limit + (filter.offset ?? 0)).as('v'), 'v.id', 'f.id')
      .where('f.owner_id', '<>', filter.userId);
  } else if (!filter.isAdmin) {
    const narrow = filter.ids !== undefined || filter.ownerId !== undefined;
    query = narrow
      ? query.where(readableBy(filter))
      : query.innerJoin(readableIds(db, filter, afterId, filter.limit === undefined ? undefined : filter.limit + (filter.offset ?? 0)).as('v'), 'v.id', 'f.id');
  }
  if (filter.ids !== undefined) query = query.where('f.id', 'in', filter.ids);
  if (filter.ownerId !== undefined) query = query.where('f.owner_id', '=', filter.ownerId);
  if (afterId > 0) query = query.where('f.id', '>', afterId);
  query = query.orderBy('f.id');
  if (filter.limit !== undefined || filter.offset !== undefined) {
    query = query.limit(filter.limit ?? NO_LIMIT).offset(filter.offset ?? 0);
  }
  return query;
}

/** The correlated test: owner, public, or an entry (file_permissions' primary key) names the caller or a group. */
function readableBy({ userId, groupIds }: ReadableFilter) {
  return (eb: ExpressionBuilder<MetadataDatabase & { f: FilesTable }, 'f'>) =>
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
    ]);
}

/** The ids the caller may read, above `afterId`: at most `window` from each index range when given. */
function readableIds(db: Kysely<MetadataDatabase>, { userId, groupIds }: ReadableFilter, afterId: number, window: number | undefined) {
  const cut = <Q extends { limit(n: number): Q }>(query: Q): Q => (window === undefined ? query : query.limit(window));
  const owned = db
    .selectFrom(cut(db.selectFrom('files').select('id').where('owner_id', '=', userId).where('id', '>', afterId).orderBy('id')).as('o'))
    .select('o.id');
  const open = db
    .selectFrom(cut(db.selectFrom('files').select('id').where('public_access', '=', true).where('id', '>', afterId).orderBy('id')).as('p'))
    .select('p.id');
  const named = (entityType: 'USER' | 'GROUP', ids: readonly number[]) =>
    db
      .selectFrom(
        cut(
          db
            .selectFrom('file_permissions')
            .select('file_id as id')
            .where('entity_type', '=', entityType)
            .where('entity_id', 'in', ids)
            .where('file_id', '>', afterId)
            .orderBy('file_id'),
        ).as(entityType === 'USER' ? 'u' : 'g'),
      )
      .select('id');
  const union = owned.union(open).union(named('USER', [userId]));
  // The union cut to the window too, so that the planner knows it joins at most that many files
  // (PostgreSQL otherwise hashes the whole files table for a few thousand ids).
  return cut(
    db
      .selectFrom((groupIds.length === 0 ? union : union.union(named('GROUP', groupIds))).as('readable'))
      .select('readable.id')
      .orderBy('readable.id'),
  );
}

/**
 * docs/decisions.md 180: the ids of the files an entry shares with the caller or one of its
 * groups, above `afterId`, that someone else owns (an owner's own entry, docs/decisions.md 19, is
 * not a share); at most `window` from each index range when given. Whether the file is also
 * public plays no part. Each range walks file_permissions_by_entity in file id order and looks
 * each file's owner up by its primary key.
 */
function sharedIds(db: Kysely<MetadataDatabase>, { userId, groupIds }: ReadableFilter, afterId: number, window: number | undefined) {
  const cut = <Q extends { limit(n: number): Q }>(query: Q): Q => (window === undefined ? query : query.limit(window));
  const named = (entityType: 'USER' | 'GROUP', ids: readonly number[]) =>
    db
      .selectFrom(
        cut(
          db
            .selectFrom('file_permissions as e')
            .innerJoin('files as o', 'o.id', 'e.file_id')
            .select('e.file_id as id')
            .where('e.entity_type', '=', entityType)
            .where('e.entity_id', 'in', ids)
            .where('e.file_id', '>', afterId)
            .where('o.owner_id', '<>', userId)
            .orderBy('e.file_id'),
        ).as(entityType === 'USER' ? 'su' : 'sg'),
      )
      .select('id');
  const users = named('USER', [userId]);
  return cut(
    db
      .selectFrom((groupIds.length === 0 ? users : users.union(named('GROUP', groupIds))).as('shared'))
      .select('shared.id')
      .orderBy('shared.id'),
  );
}
