// Files and their revisions. Writes that race (a new revision against a delete, two deletes)
// run in one transaction that first locks the file row, so they apply one after the other.
import type { Kysely, Transaction } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { RevisionRecord } from '../../core/model.js';
import type { FileStore } from '../../core/ports/metadataStore.js';
import { listReadableFiles, selectFilesWithCurrentRevision, toFileWithRevision } from './fileQueries.js';
import { insertCurrentRevisionOnPostgres, insertOwnedFile, insertOwnedFileOnPostgres, insertRevision } from './revisionRows.js';
import { copyCurrentRevision, duplicateFile, updateFileMetadata } from './fileCopies.js';
import { precompiledQuery } from './precompiledQuery.js';
import { toFileRecord, toRevisionRecord } from './rowMappers.js';
import type { MetadataDatabase } from './schema.js';
import { lockBlobReferences, unreferencedBlobKeys } from './sharedBlobs.js';
import { forUpdate, type SqlDialect } from './sqlDialect.js';

type Db = Kysely<MetadataDatabase>;

export function createFileStore(db: Db, dialect: SqlDialect): FileStore {
  // The lookups behind every details request and download, hence compiled once.
  const selectFileWithRevision = precompiledQuery(db, (fileId: number) => selectFilesWithCurrentRevision(db).where('f.id', '=', fileId), 1);
  const selectRevision = precompiledQuery(
    db,
    (fileId: number, revisionId: number) => db.selectFrom('revisions').selectAll().where('id', '=', revisionId).where('file_id', '=', fileId),
    2,
  );

  /** Locks the file row until the transaction ends; FILE_NOT_FOUND if there is none. */
  async function lockFile(trx: Transaction<MetadataDatabase>, fileId: number) {
    const file = await forUpdate(trx.selectFrom('files').select(['id', 'current_revision_id']).where('id', '=', fileId), dialect).executeTakeFirst();
    if (!file) throw new DomainError('FILE_NOT_FOUND');
    return file;
  }

  /** The only foreign keys a caller can break name users (owner, uploader). */
  function userNotFoundOr(error: unknown): unknown {
    return dialect.isForeignKeyViolation(error) ? new DomainError('USER_NOT_FOUND', undefined, { cause: error }) : error;
  }

  return {
    async createFile({ name, description, ownerId, publicAccess, createdAt, revision }) {
      try {
        const file = { name, description, ownerId, publicAccess, createdAt };
        if (dialect.name === 'postgres') return await insertOwnedFileOnPostgres(db, file, revision);
        return await db.transaction().execute(async (trx) => insertOwnedFile(trx, file, revision));
      } catch (error) {
        throw userNotFoundOr(error);
      }
    },

    async addRevision({ fileId, revision }) {
      try {
        if (dialect.name === 'postgres') {
          const inserted = await insertCurrentRevisionOnPostgres(db, fileId, revision);
          if (!inserted) throw new DomainError('FILE_NOT_FOUND');
          return inserted;
        }
        return await db.transaction().execute(async (trx) => {
          await lockFile(trx, fileId);
          const inserted = await insertRevision(trx, fileId, revision);
          await trx.updateTable('files').set({ current_revision_id: inserted.id }).where('id', '=', fileId).execute();
          return toRevisionRecord(inserted);
        });
      } catch (error) {
        throw userNotFoundOr(error);
      }
    },

    async getFile(id) {
      const row = await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toFileRecord(row);
    },

    async getFileWithRevision(id) {
      const [row] = await selectFileWithRevision(id);
      return row === undefined ? undefined : toFileWithRevision(row);
    },

    listReadableFiles: (filter) => listReadableFiles(db, filter),

    async getRevision({ fileId, revisionId }) {
      const [row] = await selectRevision(fileId, revisionId);
      return row === undefined ? undefined : toRevisionRecord(row);
    },

    /** Every requested id is a key; a file with no revisions (or no such file) maps to []. */
    async listRevisions(fileIds) {
      const revisions = new Map(fileIds.map((id): [number, RevisionRecord[]] => [id, []]));
      if (fileIds.length === 0) return revisions;
      const rows = await db
        .selectFrom('revisions')
        .selectAll()
        .where('file_id', 'in', fileIds)
        .orderBy('file_id')
        .orderBy('id', 'desc') // docs/decisions.md 10: "every remaining revision, newest first"
        .execute();
      for (const row of rows) revisions.get(row.file_id)?.push(toRevisionRecord(row));
      return revisions;
    },

    async deleteRevision({ fileId, revisionId }) {
      return db.transaction().execute(async (trx) => {
        const file = await lockFile(trx, fileId);
        const revision = await trx
          .selectFrom('revisions')
          .select(['id', 'blob_key'])
          .where('id', '=', revisionId)
          .where('file_id', '=', fileId)
          .executeTakeFirst();
        if (!revision) throw new DomainError('REVISION_NOT_FOUND');
        await lockBlobReferences(trx, dialect, [revision.blob_key]);
        /** The blob key, unless another revision still shares the bytes (docs/decisions.md 83). */
        const freed = async () => ({ blobKey: (await unreferencedBlobKeys(trx, [revision.blob_key]))[0] });
        if (file.current_revision_id === revisionId) {
          // docs/decisions.md 14: "If it was current, the newest remaining revision becomes current;
          // if none remains, the file is gone."
          const newestRemaining = await trx
            .selectFrom('revisions')
            .select('id')
            .where('file_id', '=', fileId)
            .where('id', '!=', revisionId)
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst();
          if (!newestRemaining) {
            // Revisions and permission entries go with the file (ON DELETE CASCADE).
            await trx.deleteFrom('files').where('id', '=', fileId).execute();
            return { ...(await freed()), fileDeleted: true };
          }
          await trx.updateTable('files').set({ current_revision_id: newestRemaining.id }).where('id', '=', fileId).execute();
        }
        await trx.deleteFrom('revisions').where('id', '=', revisionId).execute();
        return { ...(await freed()), fileDeleted: false };
      });
    },

    async deleteFile(fileId) {
      return db.transaction().execute(async (trx) => {
        await lockFile(trx, fileId);
        const rows = await trx.selectFrom('revisions').select('blob_key').where('file_id', '=', fileId).orderBy('id').execute();
        const blobKeys = [...new Set(rows.map((row) => row.blob_key))];
        await lockBlobReferences(trx, dialect, blobKeys);
        // Revisions and permission entries go with the file (ON DELETE CASCADE).
        await trx.deleteFrom('files').where('id', '=', fileId).execute();
        // Only the bytes no other file's revision shares (docs/decisions.md 83).
        return { blobKeys: await unreferencedBlobKeys(trx, blobKeys) };
      });
    },

    copyCurrentRevision: (input) => copyCurrentRevision(db, dialect, input),
    duplicateFile: (input) => duplicateFile(db, dialect, input),
    updateFileMetadata: (input) => updateFileMetadata(db, dialect, input),

    async setScanState({ revisionId, scanState }) {
      const result = await db.updateTable('revisions').set({ scan_state: scanState }).where('id', '=', revisionId).executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new DomainError('REVISION_NOT_FOUND');
    },

    async referencedBlobKeys(blobKeys) {
      if (blobKeys.length === 0) return new Set();
      const rows = await db.selectFrom('revisions').select('blob_key').distinct().where('blob_key', 'in', blobKeys).execute();
      return new Set(rows.map((row) => row.blob_key));
    },
  };
}
