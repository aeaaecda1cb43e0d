// The contract for copies, duplicates and shared blobs (docs/decisions.md 81-83): a copied or
// duplicated revision names the source's blob key, and a delete hands back a blob key only when
// the last revision naming it is gone, even when the last two go at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { assertRejectsWithCode, createFile, createUser, T0 } from './support.js';

const MISSING_ID = 987_655;

export function sharingContract(store: () => MetadataStore): void {
  describe('copies and duplicates share blobs', () => {
    it("copyCurrentRevision: the target's new current revision names the source's blob, with its facts", async () => {
      const owner = await createUser(store());
      const copier = await createUser(store());
      const source = await createFile(store(), owner.id);
      const target = await createFile(store(), owner.id);
      const copied = await store().files.copyCurrentRevision({
        sourceFileId: source.file.id,
        targetFileId: target.file.id,
        uploadUserId: copier.id,
        uploadedAt: T0 + 5000,
      });
      const { id: _id, fileId: _fileId, ...facts } = source.currentRevision;
      assert.deepEqual(copied, { ...facts, id: copied.id, fileId: target.file.id, uploadUserId: copier.id, uploadedAt: T0 + 5000, uploadTimeMillis: 0 });
      assert.equal((await store().files.getFile(target.file.id))?.currentRevisionId, copied.id);
      assert.equal((await store().files.listRevisions([target.file.id])).get(target.file.id)?.length, 2);
      await assertRejectsWithCode(
        store().files.copyCurrentRevision({ sourceFileId: MISSING_ID, targetFileId: target.file.id, uploadUserId: copier.id, uploadedAt: T0 }),
        'FILE_NOT_FOUND',
      );
      await assertRejectsWithCode(
        store().files.copyCurrentRevision({ sourceFileId: source.file.id, targetFileId: MISSING_ID, uploadUserId: copier.id, uploadedAt: T0 }),
        'FILE_NOT_FOUND',
      );
      const self = await store().files.copyCurrentRevision({
        sourceFileId: target.file.id,
        targetFileId: target.file.id,
        uploadUserId: owner.id,
        uploadedAt: T0,
      });
      assert.equal(self.blobKey, source.currentRevision.blobKey, 'a file copied onto itself');
    });

    it('duplicateFile: a private file of the new owner, with only its entry, sharing the blob', async () => {
      const owner = await createUser(store());
      const caller = await createUser(store());
      const source = await createFile(store(), owner.id, { publicAccess: true, name: 'source.csv' });
      await store().permissions.replacePermissions(source.file.id, {
        publicAccess: true,
        entries: [
          { entityType: 'USER', entityId: owner.id, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' },
          { entityType: 'USER', entityId: caller.id, grant: 'READ', pass: 'NONE' },
        ],
      });
      const copy = await store().files.duplicateFile({ sourceFileId: source.file.id, ownerId: caller.id, createdAt: T0 + 9000 });
      assert.deepEqual(copy.file, {
        id: copy.file.id,
        name: 'source.csv',
        description: source.file.description,
        ownerId: caller.id,
        publicAccess: false,
        createdAt: T0 + 9000,
        currentRevisionId: copy.currentRevision.id,
      });
      assert.notEqual(copy.file.id, source.file.id);
      assert.equal(copy.currentRevision.blobKey, source.currentRevision.blobKey);
      assert.equal(copy.currentRevision.sha256, source.currentRevision.sha256);
      assert.deepEqual(await store().permissions.getPermissions(copy.file.id), {
        publicAccess: false,
        entries: [{ entityType: 'USER', entityId: caller.id, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' }],
      });
      assert.deepEqual(await store().files.getFileWithRevision(copy.file.id), copy);
      await assertRejectsWithCode(store().files.duplicateFile({ sourceFileId: MISSING_ID, ownerId: caller.id, createdAt: T0 }), 'FILE_NOT_FOUND');
    });

    it('a shared blob is handed back only by the delete of its last reference', async () => {
      const owner = await createUser(store());
      const source = await createFile(store(), owner.id);
      const key = source.currentRevision.blobKey;
      const copy = await store().files.duplicateFile({ sourceFileId: source.file.id, ownerId: owner.id, createdAt: T0 });
      const other = await createFile(store(), owner.id);
      const copied = await store().files.copyCurrentRevision({
        sourceFileId: source.file.id,
        targetFileId: other.file.id,
        uploadUserId: owner.id,
        uploadedAt: T0,
      });

      assert.deepEqual(await store().files.deleteFile(source.file.id), { blobKeys: [] }, 'two copies still name it');
      assert.deepEqual(await store().files.deleteRevision({ fileId: other.file.id, revisionId: copied.id }), { blobKey: undefined, fileDeleted: false });
      assert.deepEqual(await store().files.referencedBlobKeys([key]), new Set([key]));
      assert.deepEqual(await store().files.deleteRevision({ fileId: copy.file.id, revisionId: copy.currentRevision.id }), { blobKey: key, fileDeleted: true });
      assert.deepEqual(await store().files.referencedBlobKeys([key]), new Set());
    });

    it('two deletes of the last two references at once: exactly one hands the blob back', async () => {
      const owner = await createUser(store());
      for (let round = 0; round < 5; round += 1) {
        const source = await createFile(store(), owner.id);
        const copy = await store().files.duplicateFile({ sourceFileId: source.file.id, ownerId: owner.id, createdAt: T0 });
        const results = await Promise.all([
          store().files.deleteFile(source.file.id),
          round % 2 === 0
            ? store().files.deleteFile(copy.file.id)
            : store()
                .files.deleteRevision({ fileId: copy.file.id, revisionId: copy.currentRevision.id })
                .then(({ blobKey }) => ({ blobKeys: blobKey === undefined ? [] : [blobKey] })),
        ]);
        assert.deepEqual(
          results.flatMap((result) => result.blobKeys),
          [source.currentRevision.blobKey],
          `round ${round}`,
        );
      }
    });

    it('updateFileMetadata changes the description and/or public flag only', async () => {
      const owner = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      assert.deepEqual(await store().files.updateFileMetadata({ fileId: file.id, description: 'new' }), { ...file, description: 'new' });
      assert.deepEqual(await store().files.updateFileMetadata({ fileId: file.id, publicAccess: true }), { ...file, description: 'new', publicAccess: true });
      assert.deepEqual(await store().files.updateFileMetadata({ fileId: file.id }), { ...file, description: 'new', publicAccess: true });
      assert.equal((await store().permissions.getPermissions(file.id)).publicAccess, true);
      await assertRejectsWithCode(store().files.updateFileMetadata({ fileId: MISSING_ID, description: 'x' }), 'FILE_NOT_FOUND');
    });
  });
}
