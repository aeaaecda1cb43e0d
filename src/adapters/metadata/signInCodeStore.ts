// Sign-in links' one-time codes (docs/decisions.md 114): the SignInCodeStore port over Kysely.
import type { Kysely } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { SignInCodeStore } from '../../core/ports/signInCodeStore.js';
import type { MetadataDatabase } from './schema.js';

export function createSignInCodeStore(db: Kysely<MetadataDatabase>): SignInCodeStore {
  return {
    async create({ userId, codeHash, createdAt, expiresAt }) {
      const user = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
      if (!user) throw new DomainError('USER_NOT_FOUND', `No user with id ${userId}.`);
      const row = await db
        .insertInto('sign_in_codes')
        .values({ code_hash: codeHash, user_id: userId, created_at: createdAt, expires_at: expiresAt, used_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: Number(row.id) };
    },

    async consume({ codeHash, at }) {
      // One conditional update: whoever sets used_at first wins, on either database.
      const used = await db
        .updateTable('sign_in_codes')
        .set({ used_at: at })
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning('user_id')
        .executeTakeFirst();
      if (used) return { userId: Number(used.user_id) };
      const row = await db.selectFrom('sign_in_codes').select(['used_at', 'expires_at']).where('code_hash', '=', codeHash).executeTakeFirst();
      if (!row) return { refused: 'unknown' };
      return { refused: row.used_at !== null ? 'used' : 'expired' };
    },
  };
}
