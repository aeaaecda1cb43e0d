// A file's public flag and permission entries (docs/decisions.md 16–18).
import type { Kysely } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { PermissionStore } from '../../core/ports/metadataStore.js';
import { toPermissionEntry } from './rowMappers.js';
import type { MetadataDatabase } from './schema.js';
import { forUpdate, type SqlDialect } from './sqlDialect.js';

export function createPermissionStore(db: Kysely<MetadataDatabase>, dialect: SqlDialect): PermissionStore {
  return {
    /**
     * One statement (the file left-joined to its entries), so the flag and the entries come from
     * the same snapshot even while replacePermissions runs. Entries are ordered by entity type,
     * then entity id.
     */
    async getPermissions(fileId) {
      const rows = await db
        .selectFrom('files as f')
        .leftJoin('file_permissions as e', 'e.file_id', 'f.id')
        .select(['f.public_access', 'e.entity_type', 'e.entity_id', 'e.grant_name', 'e.pass'])
        .where('f.id', '=', fileId)
        .orderBy('e.entity_type')
        .orderBy('e.entity_id')
        .execute();
      if (rows.length === 0) throw new DomainError('FILE_NOT_FOUND');
      const entries = rows.flatMap(({ entity_type, entity_id, grant_name, pass }) =>
        entity_type !== null && entity_id !== null && grant_name !== null && pass !== null
          ? [toPermissionEntry({ entity_type, entity_id, grant_name, pass })]
          : [],
      );
      return { publicAccess: Boolean(rows[0].public_access), entries };
    },

    /**
     * The flag and every entry change together or not at all. Two entries for the same entity
     * are INVALID_PERMISSIONS (the primary key refuses them and the transaction rolls back).
     */
    async replacePermissions(fileId, { publicAccess, entries }) {
      try {
        await db.transaction().execute(async (trx) => {
          const file = await forUpdate(trx.selectFrom('files').select('id').where('id', '=', fileId), dialect).executeTakeFirst();
          if (!file) throw new DomainError('FILE_NOT_FOUND');
          await trx.updateTable('files').set({ public_access: publicAccess }).where('id', '=', fileId).execute();
          await trx.deleteFrom('file_permissions').where('file_id', '=', fileId).execute();
          if (entries.length === 0) return;
          await trx
            .insertInto('file_permissions')
            .values(
              entries.map((entry) => ({
                file_id: fileId,
                entity_type: entry.entityType,
                entity_id: entry.entityId,
                grant_name: entry.grant,
                pass: entry.pass,
              })),
            )
            .execute();
        });
      } catch (error) {
        if (dialect.isUniqueViolation(error)) {
          throw new DomainError('INVALID_PERMISSIONS', 'Each user or group may appear only once.', { cause: error });
        }
        throw error;
      }
    },

    /** A missing file has no entries: returns []. */
    async entriesFor({ fileId, userId, groupIds }) {
      const rows = await db
        .selectFrom('file_permissions')
        .select(['entity_type', 'entity_id', 'grant_name', 'pass'])
        .where('file_id', '=', fileId)
        .where((eb) => {
          const namesUser = eb.and([eb('entity_type', '=', 'USER'), eb('entity_id', '=', userId)]);
          if (groupIds.length === 0) return namesUser;
          return eb.or([namesUser, eb.and([eb('entity_type', '=', 'GROUP'), eb('entity_id', 'in', groupIds)])]);
        })
        .orderBy('entity_type')
        .orderBy('entity_id')
        .execute();
      return rows.map(toPermissionEntry);
    },
  };
}
