// Copy (Domo's Product API P8), duplicate (P9) and the metadata update (PUT without bytes). A copy
// or a duplicate is a new revision row naming the source's blob key: no byte is copied
// (docs/decisions.md 82, 83). The source's file row is locked while its current revision is read
// and referenced, so a delete of that revision waits for the new reference (sharedBlobs.ts).
import type { Kysely, Transaction } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { FileRecord, NewRevision, RevisionRecord } from '../../core/model.js';
import type { FileWithRevision } from '../../core/ports/metadataStore.js';
import { insertOwnedFile, insertRevision } from './revisionRows.js';
import { toFileRecord, toRevisionRecord } from './rowMappers.js';
import type { MetadataDatabase } from './schema.js';
import { forUpdate, type SqlDialect } from './sqlDialect.js';

type Db = Kysely<MetadataDatabase>;
type Trx = Transaction<MetadataDatabase>;

/** Locks the files' rows in id order (two copies in opposite directions cannot deadlock). */
async function lockFiles(trx: Trx, dialect: SqlDialect, fileIds: readonly number[]): Promise<Map<number, FileRecord>> {
  const ids = [...new Set(fileIds)].sort((a, b) => a - b);
  const rows = await forUpdate(trx.selectFrom('files').selectAll().where('id', 'in', ids).orderBy('id'), dialect).execute();
  const files = new Map(rows.map((row) => [row.id, toFileRecord(row)]));
  if (ids.some((id) => !files.has(id))) throw new DomainError('FILE_NOT_FOUND');
  return files;
}

/** The source's current revision, as the facts a new revision sharing its bytes carries. */
async function currentRevisionOf(trx: Trx, file: FileRecord, uploadUserId: number, uploadedAt: number): Promise<NewRevision> {
  const row = await trx.selectFrom('revisions').selectAll().where('id', '=', file.currentRevisionId).executeTakeFirstOrThrow();
  const { id: _id, fileId: _fileId, ...facts } = toRevisionRecord(row);
  // No byte was received: the time spent storing them is 0 (docs/decisions.md 11, 82).
  return { ...facts, uploadUserId, uploadedAt, uploadTimeMillis: 0 };
}

export async function copyCurrentRevision(
  db: Db,
  dialect: SqlDialect,
  input: { sourceFileId: number; targetFileId: number; uploadUserId: number; uploadedAt: number },
): Promise<RevisionRecord> {
  return db.transaction().execute(async (trx) => {
    const files = await lockFiles(trx, dialect, [input.sourceFileId, input.targetFileId]);
    const revision = await currentRevisionOf(trx, files.get(input.sourceFileId)!, input.uploadUserId, input.uploadedAt);
    const inserted = await insertRevision(trx, input.targetFileId, revision);
    await trx.updateTable('files').set({ current_revision_id: inserted.id }).where('id', '=', input.targetFileId).execute();
    return toRevisionRecord(inserted);
  });
}

export async function duplicateFile(
  db: Db,
  dialect: SqlDialect,
  input: { sourceFileId: number; ownerId: number; createdAt: number },
): Promise<FileWithRevision> {
  return db.transaction().execute(async (trx) => {
    const source = (await lockFiles(trx, dialect, [input.sourceFileId])).get(input.sourceFileId)!;
    const revision = await currentRevisionOf(trx, source, input.ownerId, input.createdAt);
    // docs/decisions.md 19 and 82: the caller owns the duplicate; the source's entries are not copied.
    return insertOwnedFile(
      trx,
      { name: source.name, description: source.description, ownerId: input.ownerId, publicAccess: false, createdAt: input.createdAt },
      revision,
    );
  });
}

export async function updateFileMetadata(
  db: Db,
  dialect: SqlDialect,
  input: { fileId: number; description?: string; publicAccess?: boolean },
): Promise<FileRecord> {
  return db.transaction().execute(async (trx) => {
    const file = (await lockFiles(trx, dialect, [input.fileId])).get(input.fileId)!;
    const changes = {
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.publicAccess === undefined ? {} : { public_access: input.publicAccess }),
    };
    if (Object.keys(changes).length === 0) return file;
    const row = await trx.updateTable('files').set(changes).where('id', '=', input.fileId).returningAll().executeTakeFirstOrThrow();
    return toFileRecord(row);
  });
}
