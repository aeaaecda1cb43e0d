// The contract for a file's public flag and permission entries (docs/decisions.md 16–18).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRANTS, PASSES, type PermissionEntry } from '../../../core/model.js';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { assertRejectsWithCode, createFile, createUser } from './support.js';

export function permissionsContract(store: () => MetadataStore): void {
  describe('permissions', () => {
    const ownerEntry = (ownerId: number): PermissionEntry => ({ entityType: 'USER', entityId: ownerId, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' });

    it('returns the public flag and the entries ordered by entity type, then entity id', async () => {
      const owner = await createUser(store());
      const colleague = await createUser(store());
      const groupA = await store().principals.createGroup({ name: 'a' });
      const groupB = await store().principals.createGroup({ name: 'b' });
      const { file } = await createFile(store(), owner.id);
      const entries: PermissionEntry[] = [
        { entityType: 'USER', entityId: colleague.id, grant: 'READ_WRITE', pass: 'READ' },
        { entityType: 'GROUP', entityId: groupB.id, grant: 'READ', pass: 'NONE' },
        ownerEntry(owner.id),
        { entityType: 'GROUP', entityId: groupA.id, grant: 'READ_WRITE_DELETE', pass: 'NONE' },
      ];
      await store().permissions.replacePermissions(file.id, { publicAccess: true, entries });
      assert.deepEqual(await store().permissions.getPermissions(file.id), {
        publicAccess: true,
        entries: [entries[3], entries[1], entries[2], entries[0]],
      });
    });

    it('replacing permissions replaces every entry and the public flag', async () => {
      const owner = await createUser(store());
      const colleague = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      const colleagueEntry: PermissionEntry = { entityType: 'USER', entityId: colleague.id, grant: 'READ', pass: 'NONE' };
      await store().permissions.replacePermissions(file.id, { publicAccess: true, entries: [ownerEntry(owner.id), colleagueEntry] });
      assert.equal((await store().files.getFile(file.id))?.publicAccess, true);
      await store().permissions.replacePermissions(file.id, { publicAccess: false, entries: [colleagueEntry] });
      assert.deepEqual(await store().permissions.getPermissions(file.id), { publicAccess: false, entries: [colleagueEntry] });
      assert.equal((await store().files.getFile(file.id))?.publicAccess, false);
      await store().permissions.replacePermissions(file.id, { publicAccess: false, entries: [] });
      assert.deepEqual(await store().permissions.getPermissions(file.id), { publicAccess: false, entries: [] });
    });

    it('every grant and pass round-trips', async () => {
      const owner = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      const users = await Promise.all(GRANTS.map(() => createUser(store())));
      const entries: PermissionEntry[] = GRANTS.map((grant, index) => ({
        entityType: 'USER',
        entityId: users[index].id,
        grant,
        pass: PASSES[index % PASSES.length],
      }));
      await store().permissions.replacePermissions(file.id, { publicAccess: false, entries });
      const stored = await store().permissions.getPermissions(file.id);
      assert.deepEqual(
        stored.entries,
        [...entries].sort((a, b) => a.entityId - b.entityId),
      );
    });

    it('two entries for the same entity are INVALID_PERMISSIONS, and nothing changes', async () => {
      const owner = await createUser(store());
      const colleague = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      const before = await store().permissions.getPermissions(file.id);
      await assertRejectsWithCode(
        store().permissions.replacePermissions(file.id, {
          publicAccess: true,
          entries: [
            { entityType: 'USER', entityId: colleague.id, grant: 'READ', pass: 'NONE' },
            { entityType: 'USER', entityId: colleague.id, grant: 'READ_WRITE', pass: 'NONE' },
          ],
        }),
        'INVALID_PERMISSIONS',
      );
      assert.deepEqual(await store().permissions.getPermissions(file.id), before);
    });

    it('the permissions of a missing file are FILE_NOT_FOUND, to read or to replace', async () => {
      await assertRejectsWithCode(store().permissions.getPermissions(987_654), 'FILE_NOT_FOUND');
      await assertRejectsWithCode(store().permissions.replacePermissions(987_654, { publicAccess: true, entries: [] }), 'FILE_NOT_FOUND');
    });

    it('entriesFor returns the entries naming the user or one of its groups, and no others', async () => {
      const owner = await createUser(store());
      const member = await createUser(store());
      const outsider = await createUser(store());
      const team = await store().principals.createGroup({ name: 'team' });
      const otherTeam = await store().principals.createGroup({ name: 'other-team' });
      const { file } = await createFile(store(), owner.id);
      const memberEntry: PermissionEntry = { entityType: 'USER', entityId: member.id, grant: 'READ', pass: 'NONE' };
      const teamEntry: PermissionEntry = { entityType: 'GROUP', entityId: team.id, grant: 'READ_WRITE', pass: 'NONE' };
      const otherTeamEntry: PermissionEntry = { entityType: 'GROUP', entityId: otherTeam.id, grant: 'READ_WRITE_DELETE', pass: 'NONE' };
      await store().permissions.replacePermissions(file.id, { publicAccess: false, entries: [ownerEntry(owner.id), memberEntry, teamEntry, otherTeamEntry] });
      assert.deepEqual(await store().permissions.entriesFor({ fileId: file.id, userId: member.id, groupIds: [team.id] }), [teamEntry, memberEntry]);
      assert.deepEqual(await store().permissions.entriesFor({ fileId: file.id, userId: member.id, groupIds: [] }), [memberEntry]);
      assert.deepEqual(await store().permissions.entriesFor({ fileId: file.id, userId: outsider.id, groupIds: [otherTeam.id] }), [otherTeamEntry]);
      assert.deepEqual(await store().permissions.entriesFor({ fileId: file.id, userId: outsider.id, groupIds: [] }), []);
    });

    it('entries are per file', async () => {
      const owner = await createUser(store());
      const colleague = await createUser(store());
      const shared = await createFile(store(), owner.id);
      const unshared = await createFile(store(), owner.id);
      await store().permissions.replacePermissions(shared.file.id, {
        publicAccess: false,
        entries: [ownerEntry(owner.id), { entityType: 'USER', entityId: colleague.id, grant: 'READ', pass: 'NONE' }],
      });
      assert.deepEqual(await store().permissions.entriesFor({ fileId: unshared.file.id, userId: colleague.id, groupIds: [] }), []);
      assert.deepEqual((await store().permissions.getPermissions(unshared.file.id)).entries, [ownerEntry(owner.id)]);
    });
  });
}
