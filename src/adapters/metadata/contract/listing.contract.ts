// The contract for listing readable files (docs/decisions.md 15, 16, 19).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { FileWithRevision, MetadataStore, ReadableFilter } from '../../../core/ports/metadataStore.js';
import { createFile, createUser, newRevision } from './support.js';

export function listingContract(store: () => MetadataStore): void {
  describe('listing readable files', () => {
    // owner's files: private, public, shared with reader, shared with a group; and reader's own.
    let owner: number, reader: number, stranger: number;
    let readersGroup: number, otherGroup: number;
    let privateFile: number, publicFile: number, sharedWithReader: number, sharedWithGroup: number, readersOwn: number;

    const list = async (filter: Partial<ReadableFilter> & { userId: number }): Promise<number[]> => {
      const files = await store().files.listReadableFiles({ groupIds: [], isAdmin: false, ownedOnly: false, ...filter });
      return files.map(({ file }) => file.id);
    };

    beforeEach(async () => {
      owner = (await createUser(store(), 'owner')).id;
      reader = (await createUser(store(), 'reader')).id;
      stranger = (await createUser(store(), 'stranger')).id;
      readersGroup = (await store().principals.createGroup({ name: 'readers' })).id;
      otherGroup = (await store().principals.createGroup({ name: 'others' })).id;
      privateFile = (await createFile(store(), owner)).file.id;
      publicFile = (await createFile(store(), owner, { publicAccess: true })).file.id;
      sharedWithReader = (await createFile(store(), owner)).file.id;
      sharedWithGroup = (await createFile(store(), owner)).file.id;
      readersOwn = (await createFile(store(), reader)).file.id;
      const ownerEntry = { entityType: 'USER', entityId: owner, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' } as const;
      await store().permissions.replacePermissions(sharedWithReader, {
        publicAccess: false,
        entries: [ownerEntry, { entityType: 'USER', entityId: reader, grant: 'READ', pass: 'NONE' }],
      });
      await store().permissions.replacePermissions(sharedWithGroup, {
        publicAccess: false,
        entries: [ownerEntry, { entityType: 'GROUP', entityId: readersGroup, grant: 'READ', pass: 'NONE' }],
      });
    });

    it('an instance admin reads every file, ordered by id', async () => {
      const admin = (await createUser(store(), 'admin', true)).id;
      assert.deepEqual(await list({ userId: admin, isAdmin: true }), [privateFile, publicFile, sharedWithReader, sharedWithGroup, readersOwn]);
    });

    it('the owner reads its own files, private or public', async () => {
      assert.deepEqual(await list({ userId: owner }), [privateFile, publicFile, sharedWithReader, sharedWithGroup]);
    });

    it('a stranger reads only public files', async () => {
      assert.deepEqual(await list({ userId: stranger }), [publicFile]);
    });

    it('an entry naming the user makes a file readable', async () => {
      assert.deepEqual(await list({ userId: reader }), [publicFile, sharedWithReader, readersOwn]);
    });

    it("an entry naming one of the user's groups makes a file readable; another group's does not", async () => {
      assert.deepEqual(await list({ userId: stranger, groupIds: [readersGroup] }), [publicFile, sharedWithGroup]);
      assert.deepEqual(await list({ userId: stranger, groupIds: [otherGroup] }), [publicFile]);
      assert.deepEqual(await list({ userId: reader, groupIds: [otherGroup, readersGroup] }), [publicFile, sharedWithReader, sharedWithGroup, readersOwn]);
    });

    it("ownedOnly keeps only the caller's own files (docs/decisions.md 15)", async () => {
      assert.deepEqual(await list({ userId: reader, groupIds: [readersGroup], ownedOnly: true }), [readersOwn]);
      assert.deepEqual(await list({ userId: owner, isAdmin: true, ownedOnly: true }), [privateFile, publicFile, sharedWithReader, sharedWithGroup]);
      assert.deepEqual(await list({ userId: stranger, ownedOnly: true }), []);
    });

    it('sharedOnly keeps the files an entry shares with the user or its groups, owned by others, public or not (docs/decisions.md 180)', async () => {
      assert.deepEqual(await list({ userId: reader, sharedOnly: true }), [sharedWithReader], 'not the public file, not its own');
      assert.deepEqual(await list({ userId: reader, groupIds: [readersGroup, otherGroup], sharedOnly: true }), [sharedWithReader, sharedWithGroup]);
      assert.deepEqual(await list({ userId: stranger, sharedOnly: true }), []);
      assert.deepEqual(await list({ userId: owner, sharedOnly: true }), [], "the owner's own entries are no share");
      assert.deepEqual(await list({ userId: reader, sharedOnly: true, ownedOnly: true }), []);
      const admin = (await createUser(store(), 'admin', true)).id;
      assert.deepEqual(await list({ userId: admin, isAdmin: true, sharedOnly: true }), [], 'an admin reads everything, and has nothing shared');
      // Public and shared with the reader as well: shared.
      await store().permissions.replacePermissions(publicFile, {
        publicAccess: true,
        entries: [{ entityType: 'USER', entityId: reader, grant: 'READ', pass: 'NONE' }],
      });
      assert.deepEqual(await list({ userId: reader, sharedOnly: true }), [publicFile, sharedWithReader]);
      assert.deepEqual(await list({ userId: reader, groupIds: [readersGroup], sharedOnly: true, ids: [sharedWithGroup, privateFile] }), [sharedWithGroup]);
    });

    it("sharedOnly pages whole pages past the user's own files (each has the owner's entry)", async () => {
      for (let n = 0; n < 4; n += 1) await createFile(store(), reader);
      const shared: number[] = [];
      for (let n = 0; n < 3; n += 1) {
        const id = (await createFile(store(), owner)).file.id;
        await store().permissions.replacePermissions(id, {
          publicAccess: false,
          entries: [{ entityType: 'USER', entityId: reader, grant: 'READ', pass: 'NONE' }],
        });
        shared.push(id);
      }
      const filter = { userId: reader, groupIds: [readersGroup], sharedOnly: true };
      const all = [sharedWithReader, sharedWithGroup, ...shared];
      assert.deepEqual(await list(filter), all);
      assert.deepEqual(await list({ ...filter, limit: 2 }), all.slice(0, 2));
      assert.deepEqual(await list({ ...filter, limit: 2, offset: 2 }), all.slice(2, 4));
      assert.deepEqual(await list({ ...filter, limit: 2, afterId: all[3] }), all.slice(4));
    });

    it('ids restrict the list, and readability still applies', async () => {
      assert.deepEqual(await list({ userId: stranger, ids: [readersOwn, privateFile, publicFile] }), [publicFile]);
      assert.deepEqual(await list({ userId: owner, ids: [sharedWithGroup, privateFile, 987_654] }), [privateFile, sharedWithGroup]);
      assert.deepEqual(await list({ userId: owner, ids: [] }), []);
    });

    it('limit and offset page through the list in id order', async () => {
      assert.deepEqual(await list({ userId: owner, limit: 2 }), [privateFile, publicFile]);
      assert.deepEqual(await list({ userId: owner, limit: 2, offset: 2 }), [sharedWithReader, sharedWithGroup]);
      assert.deepEqual(await list({ userId: owner, limit: 2, offset: 4 }), []);
      assert.deepEqual(await list({ userId: owner, offset: 3 }), [sharedWithGroup]);
      assert.deepEqual(await list({ userId: owner, limit: 0 }), []);
    });

    it('limit and offset count across every way a file is readable (owned, public, user, group)', async () => {
      const reads = { userId: reader, groupIds: [readersGroup] };
      assert.deepEqual(await list({ ...reads, limit: 2, offset: 1 }), [sharedWithReader, sharedWithGroup]);
      assert.deepEqual(await list({ ...reads, limit: 1, offset: 3 }), [readersOwn]);
      assert.deepEqual(await list({ ...reads, limit: 3 }), [publicFile, sharedWithReader, sharedWithGroup]);
    });

    it('afterId pages by key: only files with a greater id (docs/decisions.md 150)', async () => {
      const reads = { userId: reader, groupIds: [readersGroup] };
      assert.deepEqual(await list({ ...reads, afterId: publicFile, limit: 2 }), [sharedWithReader, sharedWithGroup]);
      assert.deepEqual(await list({ ...reads, afterId: sharedWithGroup, limit: 2 }), [readersOwn]);
      assert.deepEqual(await list({ ...reads, afterId: readersOwn }), []);
      assert.deepEqual(await list({ ...reads, afterId: publicFile, limit: 1, offset: 1 }), [sharedWithGroup]);
      assert.deepEqual(await list({ ...reads, afterId: privateFile }), [publicFile, sharedWithReader, sharedWithGroup, readersOwn]);
      assert.deepEqual(await list({ userId: owner, isAdmin: true, afterId: sharedWithGroup }), [readersOwn]);
      assert.deepEqual(await list({ userId: owner, ownedOnly: true, afterId: publicFile, limit: 1 }), [sharedWithReader]);
      assert.deepEqual(await list({ ...reads, ids: [privateFile, publicFile, readersOwn], afterId: publicFile }), [readersOwn]);
      assert.deepEqual(await list({ ...reads, ownerId: owner, afterId: publicFile }), [sharedWithReader, sharedWithGroup]);
    });

    it('a file readable in several ways is listed once', async () => {
      await store().permissions.replacePermissions(readersOwn, {
        publicAccess: true,
        entries: [
          { entityType: 'USER', entityId: reader, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' },
          { entityType: 'GROUP', entityId: readersGroup, grant: 'READ', pass: 'NONE' },
        ],
      });
      assert.deepEqual(await list({ userId: reader, groupIds: [readersGroup] }), [publicFile, sharedWithReader, sharedWithGroup, readersOwn]);
      assert.deepEqual(await list({ userId: reader, groupIds: [readersGroup], afterId: sharedWithGroup, limit: 5 }), [readersOwn]);
    });

    it('each file comes with its current revision', async () => {
      const newest = await store().files.addRevision({ fileId: publicFile, revision: newRevision(owner) });
      const files = await store().files.listReadableFiles({ userId: stranger, groupIds: [], isAdmin: false, ownedOnly: false });
      const expected: FileWithRevision | undefined = await store().files.getFileWithRevision(publicFile);
      assert.deepEqual(files, [expected]);
      assert.deepEqual(files[0].currentRevision, newest);
      assert.equal(files[0].file.publicAccess, true);
    });

    it('a deleted file is no longer listed', async () => {
      await store().files.deleteFile(publicFile);
      assert.deepEqual(await list({ userId: stranger }), []);
    });
  });
}
