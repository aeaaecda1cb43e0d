// Writing file and revision rows: shared by uploads (fileStore.ts) and copies (fileCopies.ts).
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { NewRevision } from '../../core/model.js';
import type { FileWithRevision } from '../../core/ports/metadataStore.js';
import { toFileRecord, toRevisionRecord } from './rowMappers.js';
import type { FilesTable, MetadataDatabase, RevisionsTable } from './schema.js';

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

/**
 * insertOwnedFile as one PostgreSQL statement, hence one round trip and no transaction around it
 * (a statement is atomic): an upload's commit was six round trips (BEGIN, four statements,
 * COMMIT) to a database that may be a network hop away (issue 17, docs/decisions.md 160). The
 * revision's id is drawn first, so the file row names it from the start; both foreign keys of
 * the pair are checked at the statement's end, when both rows exist.
 */
export async function insertOwnedFileOnPostgres(
  db: Kysely<MetadataDatabase>,
  file: { name: string; description: string; ownerId: number; publicAccess: boolean; createdAt: number },
  revision: NewRevision,
): Promise<FileWithRevision> {
  const { rows } = await sql<{ file: Selectable<FilesTable>; revision: Selectable<RevisionsTable> }>`
    with next_revision as (select nextval(pg_get_serial_sequence('revisions', 'id')) as id),
    f as (
      insert into files (name, description, owner_id, public_access, created_at, current_revision_id)
      select ${file.name}::text, ${file.description}::text, ${file.ownerId}::bigint, ${file.publicAccess}::boolean, ${file.createdAt}::bigint, next_revision.id
      from next_revision
      returning *
    ),
    r as (
      insert into revisions (id, file_id, blob_key, size_bytes, md5, sha256, content_type, upload_user_id, upload_time_millis, uploaded_at, scan_state)
      select next_revision.id, f.id, ${revision.blobKey}::text, ${revision.sizeBytes}::bigint, ${revision.md5}::text, ${revision.sha256}::text,
        ${revision.contentType}::text, ${revision.uploadUserId}::bigint, ${revision.uploadTimeMillis}::bigint, ${revision.uploadedAt}::bigint,
        ${revision.scanState}::text
      from next_revision, f
      returning *
    ),
    owner_entry as (
      insert into file_permissions (file_id, entity_type, entity_id, grant_name, pass)
      select f.id, 'USER', ${file.ownerId}::bigint, 'READ_WRITE_DELETE_SHARE_ADMIN', 'NONE' from f
    )
    select row_to_json(f) as file, row_to_json(r) as revision from f, r`.execute(db);
  const [row] = rows;
  return { file: toFileRecord(row.file), currentRevision: toRevisionRecord(row.revision) };
}

/**
 * A new revision of an existing file as one PostgreSQL statement, as insertOwnedFileOnPostgres
 * is for a new file (docs/decisions.md 178): BEGIN, lock the file row, insert the revision, make
 * it current, COMMIT were five round trips on every revision. The file row is locked first
 * (`locked`), so revisions of one file and its deletion stay serialised as in the transaction,
 * and the revision's id is drawn after the lock, so the current revision is still the newest.
 * Undefined when the file does not exist (or was deleted while this waited for its lock).
 */
export async function insertCurrentRevisionOnPostgres(
  db: Kysely<MetadataDatabase>,
  fileId: number,
  revision: NewRevision,
): Promise<ReturnType<typeof toRevisionRecord> | undefined> {
  const { rows } = await sql<{ revision: Selectable<RevisionsTable> }>`
    with locked as (select id from files where id = ${fileId}::bigint for update),
    r as (
      insert into revisions (file_id, blob_key, size_bytes, md5, sha256, content_type, upload_user_id, upload_time_millis, uploaded_at, scan_state)
      select locked.id, ${revision.blobKey}::text, ${revision.sizeBytes}::bigint, ${revision.md5}::text, ${revision.sha256}::text,
        ${revision.contentType}::text, ${revision.uploadUserId}::bigint, ${revision.uploadTimeMillis}::bigint, ${revision.uploadedAt}::bigint,
        ${revision.scanState}::text
      from locked
      returning *
    ),
    made_current as (update files set current_revision_id = r.id from r where files.id = r.file_id)
    select row_to_json(r) as revision from r`.execute(db);
  const row = rows.at(0);
  return row === undefined ? undefined : toRevisionRecord(row.revision);
}
