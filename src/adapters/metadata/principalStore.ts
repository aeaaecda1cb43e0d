// Users, their tokens and their groups.
import type { Kysely } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { PrincipalStore } from '../../core/ports/metadataStore.js';
import { precompiledQuery } from './precompiledQuery.js';
import { toGroup, toUser } from './rowMappers.js';
import type { MetadataDatabase } from './schema.js';
import type { SqlDialect } from './sqlDialect.js';

export function createPrincipalStore(db: Kysely<MetadataDatabase>, dialect: SqlDialect): PrincipalStore {
  /** The unique index on name is the arbiter, so two concurrent creations cannot both succeed. */
  function nameTakenOr(error: unknown, name: string): unknown {
    return dialect.isUniqueViolation(error) ? new DomainError('NAME_TAKEN', `The name "${name}" is already taken.`, { cause: error }) : error;
  }

  // Run by every request (docs/decisions.md 20: a token names the caller), hence compiled once. The
  // caller and its groups in one round trip: one row per group (or one with no group).
  const selectCallerByTokenHash = precompiledQuery(
    db,
    (tokenHash: string) =>
      db
        .selectFrom('user_tokens')
        .innerJoin('users', 'users.id', 'user_tokens.user_id')
        .leftJoin('group_members', 'group_members.user_id', 'users.id')
        .selectAll('users')
        .select('group_members.group_id')
        .where('user_tokens.token_hash', '=', tokenHash)
        .orderBy('group_members.group_id'),
    1,
  );

  return {
    async createUser({ name, isAdmin, createdAt }) {
      try {
        const row = await db.insertInto('users').values({ name, is_admin: isAdmin, created_at: createdAt }).returningAll().executeTakeFirstOrThrow();
        return toUser(row);
      } catch (error) {
        throw nameTakenOr(error, name);
      }
    },

    async getUser(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    async findUserByName(name) {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toUser(row);
    },

    async countUsers() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async addToken({ userId, tokenHash, createdAt }) {
      try {
        await db.insertInto('user_tokens').values({ token_hash: tokenHash, user_id: userId, created_at: createdAt }).execute();
      } catch (error) {
        if (dialect.isForeignKeyViolation(error)) throw new DomainError('USER_NOT_FOUND', undefined, { cause: error });
        throw error;
      }
    },

    async findUserByTokenHash(tokenHash) {
      const row = await db
        .selectFrom('user_tokens')
        .innerJoin('users', 'users.id', 'user_tokens.user_id')
        .selectAll('users')
        .where('user_tokens.token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toUser(row);
    },

    async findCallerByTokenHash(tokenHash) {
      const rows = await selectCallerByTokenHash(tokenHash);
      if (rows.length === 0) return undefined;
      const groupIds = rows.flatMap((row) => (row.group_id === null ? [] : [row.group_id]));
      return { user: toUser(rows[0]), groupIds };
    },

    async createGroup({ name }) {
      try {
        const row = await db.insertInto('user_groups').values({ name }).returningAll().executeTakeFirstOrThrow();
        return toGroup(row);
      } catch (error) {
        throw nameTakenOr(error, name);
      }
    },

    async getGroup(id) {
      const row = await db.selectFrom('user_groups').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toGroup(row);
    },

    async findGroupByName(name) {
      const row = await db.selectFrom('user_groups').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toGroup(row);
    },

    async addGroupMember({ groupId, userId }) {
      // Checked first so the caller learns which of the two is missing (a foreign-key error
      // would not say); principals are never deleted, so the answer cannot go stale.
      const group = await db.selectFrom('user_groups').select('id').where('id', '=', groupId).executeTakeFirst();
      if (!group) throw new DomainError('GROUP_NOT_FOUND');
      const user = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
      if (!user) throw new DomainError('USER_NOT_FOUND');
      // Idempotent: adding an existing member changes nothing.
      await db
        .insertInto('group_members')
        .values({ group_id: groupId, user_id: userId })
        .onConflict((conflict) => conflict.columns(['group_id', 'user_id']).doNothing())
        .execute();
    },
  };
}
