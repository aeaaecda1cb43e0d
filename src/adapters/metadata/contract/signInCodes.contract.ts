// The contract for sign-in links' one-time codes (src/core/ports/signInCodeStore.ts,
// docs/decisions.md 114): used once, only before expiry, atomically.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { assertRejectsWithCode, createUser, T0 } from './support.js';

export function signInCodesContract(store: () => MetadataStore): void {
  describe('sign-in codes', () => {
    it('a code is consumed once, before its expiry; then it is used, expired or unknown', async () => {
      const user = await createUser(store());
      const codes = store().signInCodes;
      await codes.create({ userId: user.id, codeHash: 'a'.repeat(64), createdAt: T0, expiresAt: T0 + 1000 });
      await codes.create({ userId: user.id, codeHash: 'b'.repeat(64), createdAt: T0, expiresAt: T0 + 1000 });
      assert.deepEqual(await codes.consume({ codeHash: 'a'.repeat(64), at: T0 + 999 }), { userId: user.id });
      assert.deepEqual(await codes.consume({ codeHash: 'a'.repeat(64), at: T0 + 999 }), { refused: 'used' });
      assert.deepEqual(await codes.consume({ codeHash: 'b'.repeat(64), at: T0 + 1000 }), { refused: 'expired' });
      assert.deepEqual(await codes.consume({ codeHash: 'c'.repeat(64), at: T0 }), { refused: 'unknown' });
    });

    it('of concurrent consumptions of one code, exactly one wins', async () => {
      const user = await createUser(store());
      await store().signInCodes.create({ userId: user.id, codeHash: 'd'.repeat(64), createdAt: T0, expiresAt: T0 + 1000 });
      const results = await Promise.all(Array.from({ length: 5 }, () => store().signInCodes.consume({ codeHash: 'd'.repeat(64), at: T0 })));
      assert.equal(results.filter((result) => 'userId' in result).length, 1);
    });

    it('creating a code for a missing user is USER_NOT_FOUND; deleting the user deletes its codes', async () => {
      await assertRejectsWithCode(
        store().signInCodes.create({ userId: 999_999, codeHash: 'e'.repeat(64), createdAt: T0, expiresAt: T0 + 1000 }),
        'USER_NOT_FOUND',
      );
      const user = await createUser(store());
      await store().signInCodes.create({ userId: user.id, codeHash: 'f'.repeat(64), createdAt: T0, expiresAt: T0 + 1000 });
      await store().accounts.deleteUser({ userId: user.id });
      assert.deepEqual(await store().signInCodes.consume({ codeHash: 'f'.repeat(64), at: T0 }), { refused: 'unknown' });
    });
  });
}
