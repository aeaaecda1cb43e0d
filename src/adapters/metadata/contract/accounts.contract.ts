// The contract for access management (issue 12): token records, accounts, groups' lifecycle and usage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { assertRejectsWithCode, createFile, createUser, isPositiveInteger, newRevision, newSession, T0 } from './support.js';

export function accountsContract(store: () => MetadataStore): void {
  const accounts = () => store().accounts;

  describe('token records', () => {
    it('a token is a record: id, label, scope, times; found by hash with its owner and groups', async () => {
      const user = await createUser(store());
      const group = await store().principals.createGroup({ name: `g-${user.id}` });
      await store().principals.addGroupMember({ groupId: group.id, userId: user.id });
      const token = await accounts().createToken({ userId: user.id, tokenHash: 'REC', label: 'laptop', scope: 'read', createdAt: T0, expiresAt: T0 + 1000 });
      assert.ok(isPositiveInteger(token.id));
      assert.deepEqual(token, {
        id: token.id,
        userId: user.id,
        label: 'laptop',
        scope: 'read',
        createdAt: T0,
        expiresAt: T0 + 1000,
        lastUsedAt: null,
        revokedAt: null,
      });
      assert.deepEqual(await accounts().findCredential('REC'), { token, user: { ...user, disabledAt: null }, groupIds: [group.id], quotaBytes: null });
      assert.equal(await accounts().findCredential('NONE'), undefined);
      assert.deepEqual(await accounts().getToken(token.id), token);
    });

    it('a token without expiry reads back null; a token for a missing user is USER_NOT_FOUND', async () => {
      const user = await createUser(store());
      const token = await accounts().createToken({ userId: user.id, tokenHash: 'FOREVER', label: '', scope: 'admin', createdAt: T0, expiresAt: null });
      assert.equal(token.expiresAt, null);
      await assertRejectsWithCode(
        accounts().createToken({ userId: 987_654, tokenHash: 'X', label: '', scope: 'read', createdAt: T0, expiresAt: null }),
        'USER_NOT_FOUND',
      );
    });

    it('tokens added the old way (principals.addToken) are admin-scoped records without expiry', async () => {
      const user = await createUser(store());
      await store().principals.addToken({ userId: user.id, tokenHash: 'OLD', createdAt: T0 });
      const credential = await accounts().findCredential('OLD');
      assert.deepEqual(
        { ...credential?.token, id: 0 },
        { id: 0, userId: user.id, label: '', scope: 'admin', createdAt: T0, expiresAt: null, lastUsedAt: null, revokedAt: null },
      );
    });

    it('touchToken writes lastUsedAt unless it is already at or after notBefore', async () => {
      const user = await createUser(store());
      const token = await accounts().createToken({ userId: user.id, tokenHash: 'T', label: '', scope: 'write', createdAt: T0, expiresAt: null });
      await accounts().touchToken({ id: token.id, at: T0 + 100, notBefore: T0 + 50 });
      assert.equal((await accounts().getToken(token.id))?.lastUsedAt, T0 + 100);
      await accounts().touchToken({ id: token.id, at: T0 + 200, notBefore: T0 + 100 });
      assert.equal((await accounts().getToken(token.id))?.lastUsedAt, T0 + 100, 'not rewritten within the interval');
      await accounts().touchToken({ id: token.id, at: T0 + 300, notBefore: T0 + 101 });
      assert.equal((await accounts().getToken(token.id))?.lastUsedAt, T0 + 300);
    });

    it('revoking keeps the record, marks it once, and is still found (so authentication can say why)', async () => {
      const user = await createUser(store());
      const token = await accounts().createToken({ userId: user.id, tokenHash: 'REV', label: '', scope: 'write', createdAt: T0, expiresAt: null });
      assert.equal((await accounts().revokeToken({ id: token.id, at: T0 + 5 }))?.revokedAt, T0 + 5);
      assert.equal((await accounts().revokeToken({ id: token.id, at: T0 + 9 }))?.revokedAt, T0 + 5);
      assert.equal((await accounts().findCredential('REV'))?.token.revokedAt, T0 + 5);
      assert.equal(await accounts().revokeToken({ id: 987_654, at: T0 }), undefined);
    });

    it('listTokens by user or all, by id; revokeTokensOfUser revokes only that user’s live ones', async () => {
      const [ada, bob] = [await createUser(store()), await createUser(store())];
      const a1 = await accounts().createToken({ userId: ada.id, tokenHash: 'A1', label: '', scope: 'read', createdAt: T0, expiresAt: null });
      const b1 = await accounts().createToken({ userId: bob.id, tokenHash: 'B1', label: '', scope: 'read', createdAt: T0, expiresAt: null });
      const a2 = await accounts().createToken({ userId: ada.id, tokenHash: 'A2', label: '', scope: 'read', createdAt: T0, expiresAt: null });
      await accounts().revokeToken({ id: a1.id, at: T0 + 1 });
      assert.deepEqual(
        (await accounts().listTokens({ userId: ada.id })).map((token) => token.id),
        [a1.id, a2.id],
      );
      assert.deepEqual(
        (await accounts().listTokens({})).map((token) => token.id),
        [a1.id, b1.id, a2.id],
      );
      assert.equal(await accounts().revokeTokensOfUser({ userId: ada.id, at: T0 + 2 }), 1);
      assert.equal((await accounts().getToken(a1.id))?.revokedAt, T0 + 1);
      assert.equal((await accounts().getToken(a2.id))?.revokedAt, T0 + 2);
      assert.equal((await accounts().getToken(b1.id))?.revokedAt, null);
      await assertRejectsWithCode(accounts().revokeTokensOfUser({ userId: 987_654, at: T0 }), 'USER_NOT_FOUND');
    });
  });

  describe('accounts', () => {
    it('disable and enable; the credential carries the mark', async () => {
      const user = await createUser(store());
      await accounts().createToken({ userId: user.id, tokenHash: 'D', label: '', scope: 'read', createdAt: T0, expiresAt: null });
      assert.equal((await accounts().setDisabled({ userId: user.id, disabledAt: T0 + 7 })).disabledAt, T0 + 7);
      assert.equal((await accounts().findCredential('D'))?.user.disabledAt, T0 + 7);
      assert.equal((await accounts().getAccount(user.id))?.disabledAt, T0 + 7);
      assert.equal((await accounts().setDisabled({ userId: user.id, disabledAt: null })).disabledAt, null);
      assert.equal((await accounts().findAccountByName(user.name))?.disabledAt, null);
      await assertRejectsWithCode(accounts().setDisabled({ userId: 987_654, disabledAt: T0 }), 'USER_NOT_FOUND');
    });

    it('listAccounts by name, paged, and by a case-insensitive prefix where _ and % are literal', async () => {
      for (const name of ['bob', 'Alice', 'al_x', 'alxx', 'carol']) await createUser(store(), name);
      assert.deepEqual((await accounts().listAccounts({ limit: 10, offset: 0 })).map((user) => user.name).sort(), ['Alice', 'al_x', 'alxx', 'bob', 'carol']);
      assert.deepEqual((await accounts().listAccounts({ namePrefix: 'AL', limit: 10, offset: 0 })).map((user) => user.name).sort(), ['Alice', 'al_x', 'alxx']);
      assert.deepEqual(
        (await accounts().listAccounts({ namePrefix: 'al_', limit: 10, offset: 0 })).map((user) => user.name),
        ['al_x'],
      );
      assert.equal((await accounts().listAccounts({ limit: 2, offset: 4 })).length, 1);
    });

    it('deleting a user who owns files needs an heir; with one, files, revisions and sessions pass to it', async () => {
      const [leaver, heir, other] = [await createUser(store()), await createUser(store()), await createUser(store())];
      const { file } = await createFile(store(), leaver.id);
      const { file: othersFile } = await createFile(store(), other.id);
      await store().files.addRevision({ fileId: othersFile.id, revision: newRevision(leaver.id) });
      await store().permissions.replacePermissions(othersFile.id, {
        publicAccess: false,
        entries: [
          { entityType: 'USER', entityId: other.id, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' },
          { entityType: 'USER', entityId: leaver.id, grant: 'READ_WRITE', pass: 'NONE' },
        ],
      });
      await assertRejectsWithCode(accounts().deleteUser({ userId: leaver.id }), 'CONFLICT');
      assert.ok(await accounts().getAccount(leaver.id), 'refused: nothing changed');
      assert.deepEqual(await accounts().deleteUser({ userId: leaver.id, transferTo: heir.id }), { filesTransferred: 1 });
      assert.equal(await accounts().getAccount(leaver.id), undefined);
      assert.equal((await store().files.getFile(file.id))?.ownerId, heir.id);
      assert.deepEqual(await store().permissions.entriesFor({ fileId: file.id, userId: heir.id, groupIds: [] }), [
        { entityType: 'USER', entityId: heir.id, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' },
      ]);
      assert.deepEqual(
        (await store().permissions.getPermissions(othersFile.id)).entries.map((entry) => entry.entityId),
        [other.id],
      );
      const revisions = (await store().files.listRevisions([othersFile.id])).get(othersFile.id) ?? [];
      assert.ok(revisions.every((revision) => revision.uploadUserId !== leaver.id));
    });

    it('a user with nothing may be deleted without an heir; a missing user is USER_NOT_FOUND', async () => {
      const user = await createUser(store());
      await accounts().createToken({ userId: user.id, tokenHash: 'GONE', label: '', scope: 'read', createdAt: T0, expiresAt: null });
      assert.deepEqual(await accounts().deleteUser({ userId: user.id }), { filesTransferred: 0 });
      assert.equal(await accounts().findCredential('GONE'), undefined);
      await assertRejectsWithCode(accounts().deleteUser({ userId: 987_654 }), 'USER_NOT_FOUND');
    });

    it('usage counts the files a user owns, their revisions and bytes, and the parts of its open sessions', async () => {
      const user = await createUser(store());
      assert.deepEqual(await accounts().usageOf(user.id), { files: 0, revisions: 0, bytes: 0, stagedBytes: 0 });
      const { file, currentRevision } = await createFile(store(), user.id);
      const second = await store().files.addRevision({ fileId: file.id, revision: newRevision(user.id) });
      const open = newSession(user.id);
      const aborted = newSession(user.id);
      for (const session of [open, aborted]) {
        await store().sessions.createSession(session);
        await store().sessions.putPart({ sessionId: session.id, part: { index: 1, sizeBytes: 1000, sha256: 'AB', uploadedAt: T0 }, expiresAt: T0 + 1 });
        await store().sessions.putPart({ sessionId: session.id, part: { index: 2, sizeBytes: 24, sha256: 'CD', uploadedAt: T0 }, expiresAt: T0 + 1 });
      }
      // Parts are stored only while a session is OPEN (docs/decisions.md 50): abort it afterwards.
      await store().sessions.transitionSession({ id: aborted.id, from: 'OPEN', to: 'ABORTED', at: T0 + 1 });
      assert.deepEqual(await accounts().usageOf(user.id), { files: 1, revisions: 2, bytes: currentRevision.sizeBytes + second.sizeBytes, stagedBytes: 1024 });
    });

    it('a user’s own quota: null until set, then the bytes given (or null again)', async () => {
      const user = await createUser(store());
      assert.equal(await accounts().getQuota(user.id), null);
      await accounts().setQuota({ userId: user.id, quotaBytes: 5 * 1024 ** 4 });
      assert.equal(await accounts().getQuota(user.id), 5 * 1024 ** 4);
      // Read with the token too, so that an upload's admission costs no query of its own.
      await accounts().createToken({ userId: user.id, tokenHash: 'QUOTA', label: '', scope: 'write', createdAt: T0, expiresAt: null });
      assert.equal((await accounts().findCredential('QUOTA'))?.quotaBytes, 5 * 1024 ** 4);
      await accounts().setQuota({ userId: user.id, quotaBytes: null });
      assert.equal(await accounts().getQuota(user.id), null);
      assert.equal((await accounts().findCredential('QUOTA'))?.quotaBytes, null);
      await assertRejectsWithCode(accounts().getQuota(987_654), 'USER_NOT_FOUND');
      await assertRejectsWithCode(accounts().setQuota({ userId: 987_654, quotaBytes: 1 }), 'USER_NOT_FOUND');
    });
  });

  describe('groups lifecycle', () => {
    it('list with member counts and prefix; members by name; groups of a user', async () => {
      const [ada, bob] = [await createUser(store(), 'ada'), await createUser(store(), 'bob')];
      const finance = await store().principals.createGroup({ name: 'finance' });
      const field = await store().principals.createGroup({ name: 'field' });
      await store().principals.createGroup({ name: 'ops' });
      await store().principals.addGroupMember({ groupId: finance.id, userId: bob.id });
      await store().principals.addGroupMember({ groupId: finance.id, userId: ada.id });
      assert.deepEqual(await accounts().listGroups({ namePrefix: 'F', limit: 10, offset: 0 }), [
        { id: field.id, name: 'field', memberCount: 0 },
        { id: finance.id, name: 'finance', memberCount: 2 },
      ]);
      assert.deepEqual(
        (await accounts().membersOf(finance.id)).map((user) => user.name),
        ['ada', 'bob'],
      );
      assert.deepEqual(await accounts().groupsOfUser(ada.id), [finance]);
      await assertRejectsWithCode(accounts().membersOf(987_654), 'GROUP_NOT_FOUND');
    });

    it('rename (NAME_TAKEN on a clash), remove a member, delete with its entries', async () => {
      const user = await createUser(store());
      const group = await store().principals.createGroup({ name: 'old' });
      await store().principals.createGroup({ name: 'taken' });
      await store().principals.addGroupMember({ groupId: group.id, userId: user.id });
      assert.deepEqual(await accounts().renameGroup({ groupId: group.id, name: 'new' }), { id: group.id, name: 'new' });
      await assertRejectsWithCode(accounts().renameGroup({ groupId: group.id, name: 'taken' }), 'NAME_TAKEN');
      await assertRejectsWithCode(accounts().renameGroup({ groupId: 987_654, name: 'x' }), 'GROUP_NOT_FOUND');
      await accounts().removeGroupMember({ groupId: group.id, userId: user.id });
      await accounts().removeGroupMember({ groupId: group.id, userId: user.id });
      assert.deepEqual(await accounts().groupsOfUser(user.id), []);
      await assertRejectsWithCode(accounts().removeGroupMember({ groupId: group.id, userId: 987_654 }), 'USER_NOT_FOUND');

      const { file } = await createFile(store(), user.id);
      await store().permissions.replacePermissions(file.id, {
        publicAccess: false,
        entries: [
          { entityType: 'USER', entityId: user.id, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' },
          { entityType: 'GROUP', entityId: group.id, grant: 'READ', pass: 'NONE' },
        ],
      });
      await accounts().deleteGroup(group.id);
      assert.equal(await store().principals.getGroup(group.id), undefined);
      assert.deepEqual(
        (await store().permissions.getPermissions(file.id)).entries.map((entry) => entry.entityType),
        ['USER'],
      );
      await assertRejectsWithCode(accounts().deleteGroup(group.id), 'GROUP_NOT_FOUND');
    });
  });
}
