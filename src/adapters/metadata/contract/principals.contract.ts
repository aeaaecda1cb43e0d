// The contract for users, tokens and groups.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { assertRejectsWithCode, createUser, isPositiveInteger, T0 } from './support.js';

/** The groups a user belongs to, as a request sees them: through a token of its own. */
async function groupIdsOf(store: MetadataStore, userId: number): Promise<readonly number[]> {
  const tokenHash = `GROUPS-${randomUUID()}`;
  await store.principals.addToken({ userId, tokenHash, createdAt: T0 });
  const caller = await store.principals.findCallerByTokenHash(tokenHash);
  assert.ok(caller, 'the token names no caller');
  return caller.groupIds;
}

export function principalsContract(store: () => MetadataStore): void {
  describe('users', () => {
    it('a new user gets an integer id and reads back by id and by name', async () => {
      const user = await store().principals.createUser({ name: 'ada', isAdmin: false, createdAt: T0 });
      assert.ok(isPositiveInteger(user.id));
      assert.deepEqual(user, { id: user.id, name: 'ada', isAdmin: false, createdAt: T0 });
      assert.deepEqual(await store().principals.getUser(user.id), user);
      assert.deepEqual(await store().principals.findUserByName('ada'), user);
    });

    it('isAdmin reads back as a boolean', async () => {
      const admin = await createUser(store(), 'root', true);
      assert.equal((await store().principals.getUser(admin.id))?.isAdmin, true);
      const plain = await createUser(store(), 'plain', false);
      assert.equal((await store().principals.findUserByName('plain'))?.isAdmin, false);
      assert.equal(plain.isAdmin, false);
    });

    it('an unknown id or name finds no user', async () => {
      assert.equal(await store().principals.getUser(987_654), undefined);
      assert.equal(await store().principals.findUserByName('nobody'), undefined);
    });

    it('user names are unique: a second user with the same name is NAME_TAKEN', async () => {
      await createUser(store(), 'grace');
      await assertRejectsWithCode(createUser(store(), 'grace'), 'NAME_TAKEN');
      assert.equal(await store().principals.countUsers(), 1);
    });

    it('countUsers counts every user', async () => {
      assert.equal(await store().principals.countUsers(), 0);
      await createUser(store());
      await createUser(store());
      assert.equal(await store().principals.countUsers(), 2);
    });
  });

  describe('tokens', () => {
    it('a token finds its user by hash; an unknown hash finds none', async () => {
      const user = await createUser(store());
      await store().principals.addToken({ userId: user.id, tokenHash: 'A1B2C3', createdAt: T0 });
      assert.deepEqual(await store().principals.findUserByTokenHash('A1B2C3'), user);
      assert.equal(await store().principals.findUserByTokenHash('FFFFFF'), undefined);
    });

    it('a token finds its caller: the user and its groups, ascending; an unknown hash finds none', async () => {
      const user = await createUser(store());
      await store().principals.addToken({ userId: user.id, tokenHash: 'CALLER', createdAt: T0 });
      assert.deepEqual(await store().principals.findCallerByTokenHash('CALLER'), { user, groupIds: [] });
      const [second, first] = [
        await store().principals.createGroup({ name: `g-${user.id}-b` }),
        await store().principals.createGroup({ name: `g-${user.id}-a` }),
      ];
      await store().principals.addGroupMember({ groupId: first.id, userId: user.id });
      await store().principals.addGroupMember({ groupId: second.id, userId: user.id });
      assert.deepEqual(await store().principals.findCallerByTokenHash('CALLER'), { user, groupIds: [second.id, first.id].sort((a, b) => a - b) });
      assert.equal(await store().principals.findCallerByTokenHash('NOBODY'), undefined);
    });

    it('a user may have several tokens', async () => {
      const user = await createUser(store());
      await store().principals.addToken({ userId: user.id, tokenHash: 'ONE', createdAt: T0 });
      await store().principals.addToken({ userId: user.id, tokenHash: 'TWO', createdAt: T0 });
      assert.equal((await store().principals.findUserByTokenHash('ONE'))?.id, user.id);
      assert.equal((await store().principals.findUserByTokenHash('TWO'))?.id, user.id);
    });

    it('a token for a missing user is USER_NOT_FOUND', async () => {
      await assertRejectsWithCode(store().principals.addToken({ userId: 987_654, tokenHash: 'X', createdAt: T0 }), 'USER_NOT_FOUND');
    });
  });

  describe('groups', () => {
    it('a new group gets an integer id and reads back by id and by name', async () => {
      const group = await store().principals.createGroup({ name: 'finance' });
      assert.ok(isPositiveInteger(group.id));
      assert.deepEqual(group, { id: group.id, name: 'finance' });
      assert.deepEqual(await store().principals.getGroup(group.id), group);
      assert.deepEqual(await store().principals.findGroupByName('finance'), group);
      assert.equal(await store().principals.getGroup(987_654), undefined);
      assert.equal(await store().principals.findGroupByName('nobody'), undefined);
    });

    it('group names are unique: a second group with the same name is NAME_TAKEN', async () => {
      await store().principals.createGroup({ name: 'finance' });
      await assertRejectsWithCode(store().principals.createGroup({ name: 'finance' }), 'NAME_TAKEN');
    });

    it('a user belongs to the groups it was added to, in id order', async () => {
      const user = await createUser(store());
      const other = await createUser(store());
      const first = await store().principals.createGroup({ name: 'first' });
      const second = await store().principals.createGroup({ name: 'second' });
      const unrelated = await store().principals.createGroup({ name: 'unrelated' });
      await store().principals.addGroupMember({ groupId: second.id, userId: user.id });
      await store().principals.addGroupMember({ groupId: first.id, userId: user.id });
      await store().principals.addGroupMember({ groupId: unrelated.id, userId: other.id });
      assert.deepEqual(await groupIdsOf(store(), user.id), [first.id, second.id]);
    });

    it('a user in no group has no group ids', async () => {
      const user = await createUser(store());
      assert.deepEqual(await groupIdsOf(store(), user.id), []);
    });

    it('adding a member twice is harmless (idempotent)', async () => {
      const user = await createUser(store());
      const group = await store().principals.createGroup({ name: 'finance' });
      await store().principals.addGroupMember({ groupId: group.id, userId: user.id });
      await store().principals.addGroupMember({ groupId: group.id, userId: user.id });
      assert.deepEqual(await groupIdsOf(store(), user.id), [group.id]);
    });

    it('adding a member to a missing group is GROUP_NOT_FOUND; adding a missing user is USER_NOT_FOUND', async () => {
      const user = await createUser(store());
      const group = await store().principals.createGroup({ name: 'finance' });
      await assertRejectsWithCode(store().principals.addGroupMember({ groupId: 987_654, userId: user.id }), 'GROUP_NOT_FOUND');
      await assertRejectsWithCode(store().principals.addGroupMember({ groupId: group.id, userId: 987_654 }), 'USER_NOT_FOUND');
    });
  });
}
