// Token records, accounts and groups' lifecycle (issue 12): the AccountStore port over Kysely.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Account, TokenRecord } from '../../core/accounts/model.js';
import { DomainError } from '../../core/errors.js';
import type { AccountStore } from '../../core/ports/accountStore.js';
import { precompiledQuery } from './precompiledQuery.js';
import { toGroup, toUser } from './rowMappers.js';
import type { MetadataDatabase, UsersTable, UserTokensTable } from './schema.js';
import type { SqlDialect } from './sqlDialect.js';

function toToken(row: Selectable<UserTokensTable>): TokenRecord {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    label: row.label,
    scope: row.scope,
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

function toAccount(row: Omit<Selectable<UsersTable>, 'quota_bytes'>): Account {
  return {
    id: Number(row.id),
    name: row.name,
    isAdmin: Boolean(row.is_admin),
    createdAt: Number(row.created_at),
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
  };
}

/** `name LIKE prefix%`, case-insensitive, with the prefix's own `_` and `%` taken literally. */
function namePrefixMatches(column: string, prefix: string) {
  const pattern = `${prefix.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

const OWNER_GRANT = 'READ_WRITE_DELETE_SHARE_ADMIN';

export function createAccountStore(db: Kysely<MetadataDatabase>, dialect: SqlDialect): AccountStore {
  // Every request runs this (docs/decisions.md 20): compiled once; one row per group of the owner.
  const selectCredential = precompiledQuery(
    db,
    (tokenHash: string) =>
      db
        .selectFrom('user_tokens')
        .innerJoin('users', 'users.id', 'user_tokens.user_id')
        .leftJoin('group_members', 'group_members.user_id', 'users.id')
        .selectAll('user_tokens')
        .select(['users.name', 'users.is_admin', 'users.created_at as user_created_at', 'users.disabled_at', 'users.quota_bytes', 'group_members.group_id'])
        .where('user_tokens.token_hash', '=', tokenHash)
        .orderBy('group_members.group_id'),
    1,
  );

  async function requireUser(userId: number): Promise<void> {
    const row = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!row) throw new DomainError('USER_NOT_FOUND', `No user with id ${userId}.`);
  }

  async function requireGroup(groupId: number): Promise<void> {
    const row = await db.selectFrom('user_groups').select('id').where('id', '=', groupId).executeTakeFirst();
    if (!row) throw new DomainError('GROUP_NOT_FOUND', `No group with id ${groupId}.`);
  }

  return {
    async createToken({ userId, tokenHash, label, scope, createdAt, expiresAt }) {
      try {
        const row = await db
          .insertInto('user_tokens')
          .values({ user_id: userId, token_hash: tokenHash, label, scope, created_at: createdAt, expires_at: expiresAt })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toToken(row);
      } catch (error) {
        if (dialect.isForeignKeyViolation(error)) throw new DomainError('USER_NOT_FOUND', undefined, { cause: error });
        throw error;
      }
    },

    async findCredential(tokenHash) {
      const rows = await selectCredential(tokenHash);
      if (rows.length === 0) return undefined;
      const first = rows[0];
      const user = toAccount({
        id: first.user_id,
        name: first.name,
        is_admin: first.is_admin,
        created_at: first.user_created_at,
        disabled_at: first.disabled_at,
      });
      return {
        token: toToken(first),
        user,
        groupIds: rows.flatMap((row) => (row.group_id === null ? [] : [Number(row.group_id)])),
        quotaBytes: first.quota_bytes === null ? null : Number(first.quota_bytes),
      };
    },

    async touchToken({ id, at, notBefore }) {
      await db
        .updateTable('user_tokens')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', notBefore)]))
        .execute();
    },

    async getToken(id) {
      const row = await db.selectFrom('user_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toToken(row);
    },

    async listTokens({ userId }) {
      let query = db.selectFrom('user_tokens').selectAll().orderBy('id');
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      return (await query.execute()).map(toToken);
    },

    async revokeToken({ id, at }) {
      await db.updateTable('user_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
      const row = await db.selectFrom('user_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toToken(row);
    },

    async revokeTokensOfUser({ userId, at }) {
      await requireUser(userId);
      const result = await db
        .updateTable('user_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async getAccount(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAccount(row);
    },

    async findAccountByName(name) {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toAccount(row);
    },

    async listAccounts({ namePrefix, limit, offset }) {
      let query = db.selectFrom('users').selectAll().orderBy('name').limit(limit).offset(offset);
      if (namePrefix) query = query.where(namePrefixMatches('name', namePrefix));
      return (await query.execute()).map(toAccount);
    },

    async setDisabled({ userId, disabledAt }) {
      const row = await db.updateTable('users').set({ disabled_at: disabledAt }).where('id', '=', userId).returningAll().executeTakeFirst();
      if (!row) throw new DomainError('USER_NOT_FOUND', `No user with id ${userId}.`);
      return toAccount(row);
    },

    async deleteUser({ userId, transferTo }) {
      return db.transaction().execute(async (trx) => {
        for (const id of transferTo === undefined ? [userId] : [userId, transferTo]) {
          const row = await trx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
          if (!row) throw new DomainError('USER_NOT_FOUND', `No user with id ${id}.`);
        }
        const owned = (await trx.selectFrom('files').select('id').where('owner_id', '=', userId).execute()).map((row) => Number(row.id));
        if (transferTo === undefined) {
          const uploaded = await trx.selectFrom('revisions').select('id').where('upload_user_id', '=', userId).limit(1).executeTakeFirst();
          const session = await trx.selectFrom('upload_sessions').select('id').where('owner_id', '=', userId).limit(1).executeTakeFirst();
          if (owned.length > 0 || uploaded || session) {
            throw new DomainError(
              'CONFLICT',
              `The user owns ${owned.length} file(s) or uploaded revisions: name a user to transfer them to (transferTo); files are never orphaned.`,
            );
          }
        }
        // The departing user's entries go everywhere; on its own files the heir gets the owner's entry.
        await trx.deleteFrom('file_permissions').where('entity_type', '=', 'USER').where('entity_id', '=', userId).execute();
        if (transferTo !== undefined) {
          if (owned.length > 0) {
            await trx
              .deleteFrom('file_permissions')
              .where('entity_type', '=', 'USER')
              .where('entity_id', '=', transferTo)
              .where('file_id', 'in', owned)
              .execute();
            await trx
              .insertInto('file_permissions')
              .values(
                owned.map((fileId) => ({
                  file_id: fileId,
                  entity_type: 'USER' as const,
                  entity_id: transferTo,
                  grant_name: OWNER_GRANT,
                  pass: 'NONE' as const,
                })),
              )
              .execute();
            await trx.updateTable('files').set({ owner_id: transferTo }).where('owner_id', '=', userId).execute();
          }
          await trx.updateTable('revisions').set({ upload_user_id: transferTo }).where('upload_user_id', '=', userId).execute();
          await trx.updateTable('upload_sessions').set({ owner_id: transferTo }).where('owner_id', '=', userId).execute();
        }
        await trx.deleteFrom('users').where('id', '=', userId).execute();
        return { filesTransferred: owned.length };
      });
    },

    async usageOf(userId) {
      const [stored, staged] = await Promise.all([
        db
          .selectFrom('files')
          .innerJoin('revisions', 'revisions.file_id', 'files.id')
          .select((eb) => [
            eb.fn.count<number | string>('files.id').distinct().as('files'),
            eb.fn.countAll<number | string>().as('revisions'),
            eb.fn.sum<number | string | null>('revisions.size_bytes').as('bytes'),
          ])
          .where('files.owner_id', '=', userId)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('upload_sessions')
          .innerJoin('upload_session_parts', 'upload_session_parts.session_id', 'upload_sessions.id')
          .select((eb) => eb.fn.sum<number | string | null>('upload_session_parts.size_bytes').as('bytes'))
          .where('upload_sessions.owner_id', '=', userId)
          .where('upload_sessions.state', 'in', ['OPEN', 'COMMITTING'])
          .executeTakeFirstOrThrow(),
      ]);
      return { files: Number(stored.files), revisions: Number(stored.revisions), bytes: Number(stored.bytes ?? 0), stagedBytes: Number(staged.bytes ?? 0) };
    },

    async getQuota(userId) {
      const row = await db.selectFrom('users').select('quota_bytes').where('id', '=', userId).executeTakeFirst();
      if (!row) throw new DomainError('USER_NOT_FOUND', `No user with id ${userId}.`);
      return row.quota_bytes === null ? null : Number(row.quota_bytes);
    },

    async setQuota({ userId, quotaBytes }) {
      const result = await db.updateTable('users').set({ quota_bytes: quotaBytes }).where('id', '=', userId).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new DomainError('USER_NOT_FOUND', `No user with id ${userId}.`);
    },

    async groupsOfUser(userId) {
      const rows = await db
        .selectFrom('group_members')
        .innerJoin('user_groups', 'user_groups.id', 'group_members.group_id')
        .selectAll('user_groups')
        .where('group_members.user_id', '=', userId)
        .orderBy('user_groups.name')
        .execute();
      return rows.map(toGroup);
    },

    async listGroups({ namePrefix, limit, offset }) {
      let query = db
        .selectFrom('user_groups')
        .leftJoin('group_members', 'group_members.group_id', 'user_groups.id')
        .select(['user_groups.id', 'user_groups.name', (eb) => eb.fn.count<number | string>('group_members.user_id').as('member_count')])
        .groupBy(['user_groups.id', 'user_groups.name'])
        .orderBy('user_groups.name')
        .limit(limit)
        .offset(offset);
      if (namePrefix) query = query.where(namePrefixMatches('user_groups.name', namePrefix));
      return (await query.execute()).map((row) => ({ id: Number(row.id), name: row.name, memberCount: Number(row.member_count) }));
    },

    async membersOf(groupId) {
      await requireGroup(groupId);
      const rows = await db
        .selectFrom('group_members')
        .innerJoin('users', 'users.id', 'group_members.user_id')
        .selectAll('users')
        .where('group_members.group_id', '=', groupId)
        .orderBy('users.name')
        .execute();
      return rows.map(toUser);
    },

    async renameGroup({ groupId, name }) {
      try {
        const row = await db.updateTable('user_groups').set({ name }).where('id', '=', groupId).returningAll().executeTakeFirst();
        if (!row) throw new DomainError('GROUP_NOT_FOUND', `No group with id ${groupId}.`);
        return toGroup(row);
      } catch (error) {
        if (dialect.isUniqueViolation(error)) throw new DomainError('NAME_TAKEN', `The name "${name}" is already taken.`, { cause: error });
        throw error;
      }
    },

    async deleteGroup(groupId) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('file_permissions').where('entity_type', '=', 'GROUP').where('entity_id', '=', groupId).execute();
        const result = await trx.deleteFrom('user_groups').where('id', '=', groupId).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) throw new DomainError('GROUP_NOT_FOUND', `No group with id ${groupId}.`);
      });
    },

    async removeGroupMember({ groupId, userId }) {
      await requireGroup(groupId);
      await requireUser(userId);
      await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
    },
  };
}
