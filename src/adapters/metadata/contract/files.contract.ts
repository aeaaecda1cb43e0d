// The contract for files and revisions (docs/decisions.md 9–14, 19).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { assertRejectsWithCode, createFile, createUser, isPositiveInteger, newRevision, T0 } from './support.js';

const MISSING_ID = 987_654;

export function filesContract(store: () => MetadataStore): void {
  describe('creating files', () => {
    it('creates the file with its first revision, made current, every field round-tripping', async () => {
      const owner = await createUser(store());
      const revision = newRevision(owner.id, { contentType: 'application/pdf', scanState: 'PENDING' });
      const created = await store().files.createFile({
        name: 'report.pdf',
        description: 'Q3',
        ownerId: owner.id,
        publicAccess: false,
        createdAt: T0,
        revision,
      });
      assert.ok(isPositiveInteger(created.file.id));
      assert.ok(isPositiveInteger(created.currentRevision.id));
      assert.deepEqual(created, {
        file: {
          id: created.file.id,
          name: 'report.pdf',
          description: 'Q3',
          ownerId: owner.id,
          publicAccess: false,
          createdAt: T0,
          currentRevisionId: created.currentRevision.id,
        },
        currentRevision: { ...revision, id: created.currentRevision.id, fileId: created.file.id },
      });
      assert.deepEqual(await store().files.getFileWithRevision(created.file.id), created);
      assert.deepEqual(await store().files.getFile(created.file.id), created.file);
    });

    it('stores names and descriptions verbatim, quotes, whitespace and all (docs/decisions.md 9)', async () => {
      const owner = await createUser(store());
      const name = '  "Budget" \'25\'\t– résumé 中文.csv  ';
      const description = 'line one\nline two\r\n  ';
      const created = await store().files.createFile({
        name,
        description,
        ownerId: owner.id,
        publicAccess: true,
        createdAt: T0,
        revision: newRevision(owner.id),
      });
      const file = await store().files.getFile(created.file.id);
      assert.equal(file?.name, name);
      assert.equal(file?.description, description);
      assert.equal(file?.publicAccess, true);
    });

    it('gives the owner READ_WRITE_DELETE_SHARE_ADMIN with pass NONE (docs/decisions.md 19)', async () => {
      const owner = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      assert.deepEqual(await store().permissions.getPermissions(file.id), {
        publicAccess: false,
        entries: [{ entityType: 'USER', entityId: owner.id, grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' }],
      });
    });

    it('a file for a missing owner is USER_NOT_FOUND and leaves nothing behind', async () => {
      const uploader = await createUser(store());
      await assertRejectsWithCode(
        store().files.createFile({ name: 'x', description: '', ownerId: MISSING_ID, publicAccess: false, createdAt: T0, revision: newRevision(uploader.id) }),
        'USER_NOT_FOUND',
      );
      const admin = { userId: uploader.id, groupIds: [], isAdmin: true, ownedOnly: false };
      assert.deepEqual(await store().files.listReadableFiles(admin), []);
    });

    it('an unknown file id finds nothing', async () => {
      assert.equal(await store().files.getFile(MISSING_ID), undefined);
      assert.equal(await store().files.getFileWithRevision(MISSING_ID), undefined);
    });
  });

  describe('adding revisions', () => {
    it('a new revision becomes current', async () => {
      const owner = await createUser(store());
      const { file, currentRevision: first } = await createFile(store(), owner.id);
      const revision = newRevision(owner.id, { sha256: 'AB'.repeat(32) });
      const added = await store().files.addRevision({ fileId: file.id, revision });
      assert.deepEqual(added, { ...revision, id: added.id, fileId: file.id });
      assert.ok(added.id > first.id);
      assert.equal((await store().files.getFile(file.id))?.currentRevisionId, added.id);
      assert.deepEqual((await store().files.getFileWithRevision(file.id))?.currentRevision, added);
    });

    it('adding a revision to a missing file is FILE_NOT_FOUND', async () => {
      const owner = await createUser(store());
      await assertRejectsWithCode(store().files.addRevision({ fileId: MISSING_ID, revision: newRevision(owner.id) }), 'FILE_NOT_FOUND');
    });

    it('concurrent revisions all land, and the newest is current', async () => {
      const owner = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      const added = await Promise.all(Array.from({ length: 8 }, () => store().files.addRevision({ fileId: file.id, revision: newRevision(owner.id) })));
      const newest = Math.max(...added.map((revision) => revision.id));
      assert.equal((await store().files.getFile(file.id))?.currentRevisionId, newest);
      assert.equal((await store().files.listRevisions([file.id])).get(file.id)?.length, 9);
    });

    it('a revision is found only within its own file', async () => {
      const owner = await createUser(store());
      const one = await createFile(store(), owner.id);
      const two = await createFile(store(), owner.id);
      const revisionId = one.currentRevision.id;
      assert.deepEqual(await store().files.getRevision({ fileId: one.file.id, revisionId }), one.currentRevision);
      assert.equal(await store().files.getRevision({ fileId: two.file.id, revisionId }), undefined);
      assert.equal(await store().files.getRevision({ fileId: one.file.id, revisionId: MISSING_ID }), undefined);
    });

    it('the scan state of a revision can change; an unknown revision is REVISION_NOT_FOUND', async () => {
      const owner = await createUser(store());
      const { file, currentRevision } = await createFile(store(), owner.id);
      await store().files.setScanState({ revisionId: currentRevision.id, scanState: 'INFECTED' });
      const revision = await store().files.getRevision({ fileId: file.id, revisionId: currentRevision.id });
      assert.equal(revision?.scanState, 'INFECTED');
      await assertRejectsWithCode(store().files.setScanState({ revisionId: MISSING_ID, scanState: 'SAFE' }), 'REVISION_NOT_FOUND');
    });
  });

  describe('listing revisions', () => {
    it("lists each file's revisions, newest first (docs/decisions.md 10)", async () => {
      const owner = await createUser(store());
      const one = await createFile(store(), owner.id);
      const two = await createFile(store(), owner.id);
      const second = await store().files.addRevision({ fileId: one.file.id, revision: newRevision(owner.id) });
      const third = await store().files.addRevision({ fileId: one.file.id, revision: newRevision(owner.id) });
      const revisions = await store().files.listRevisions([one.file.id, two.file.id]);
      assert.deepEqual(revisions.get(one.file.id), [third, second, one.currentRevision]);
      assert.deepEqual(revisions.get(two.file.id), [two.currentRevision]);
    });

    it('an id with no revisions (no such file) maps to an empty list; no ids, an empty map', async () => {
      const revisions = await store().files.listRevisions([MISSING_ID]);
      assert.deepEqual([...revisions], [[MISSING_ID, []]]);
      assert.equal((await store().files.listRevisions([])).size, 0);
    });
  });

  describe('deleting revisions (docs/decisions.md 14)', () => {
    it('deleting an older revision keeps the current one and returns the deleted blob key', async () => {
      const owner = await createUser(store());
      const { file, currentRevision: first } = await createFile(store(), owner.id);
      const second = await store().files.addRevision({ fileId: file.id, revision: newRevision(owner.id) });
      const result = await store().files.deleteRevision({ fileId: file.id, revisionId: first.id });
      assert.deepEqual(result, { blobKey: first.blobKey, fileDeleted: false });
      assert.equal((await store().files.getFile(file.id))?.currentRevisionId, second.id);
      assert.equal(await store().files.getRevision({ fileId: file.id, revisionId: first.id }), undefined);
    });

    it('deleting the current revision makes the newest remaining one current', async () => {
      const owner = await createUser(store());
      const { file, currentRevision: first } = await createFile(store(), owner.id);
      const second = await store().files.addRevision({ fileId: file.id, revision: newRevision(owner.id) });
      const third = await store().files.addRevision({ fileId: file.id, revision: newRevision(owner.id) });
      const result = await store().files.deleteRevision({ fileId: file.id, revisionId: third.id });
      assert.deepEqual(result, { blobKey: third.blobKey, fileDeleted: false });
      assert.deepEqual((await store().files.getFileWithRevision(file.id))?.currentRevision, second);
      await store().files.deleteRevision({ fileId: file.id, revisionId: second.id });
      assert.deepEqual((await store().files.getFileWithRevision(file.id))?.currentRevision, first);
    });

    it('deleting the last revision deletes the file and its permission entries', async () => {
      const owner = await createUser(store());
      const { file, currentRevision } = await createFile(store(), owner.id);
      const result = await store().files.deleteRevision({ fileId: file.id, revisionId: currentRevision.id });
      assert.deepEqual(result, { blobKey: currentRevision.blobKey, fileDeleted: true });
      assert.equal(await store().files.getFile(file.id), undefined);
      await assertRejectsWithCode(store().permissions.getPermissions(file.id), 'FILE_NOT_FOUND');
      assert.deepEqual(await store().permissions.entriesFor({ fileId: file.id, userId: owner.id, groupIds: [] }), []);
      assert.deepEqual(await store().files.referencedBlobKeys([currentRevision.blobKey]), new Set());
    });

    it('a revision of another file is REVISION_NOT_FOUND, and both files are unchanged', async () => {
      const owner = await createUser(store());
      const one = await createFile(store(), owner.id);
      const two = await createFile(store(), owner.id);
      await assertRejectsWithCode(store().files.deleteRevision({ fileId: two.file.id, revisionId: one.currentRevision.id }), 'REVISION_NOT_FOUND');
      assert.deepEqual(await store().files.getFileWithRevision(one.file.id), one);
      assert.deepEqual(await store().files.getFileWithRevision(two.file.id), two);
    });

    it('an unknown revision is REVISION_NOT_FOUND; an unknown file is FILE_NOT_FOUND', async () => {
      const owner = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      await assertRejectsWithCode(store().files.deleteRevision({ fileId: file.id, revisionId: MISSING_ID }), 'REVISION_NOT_FOUND');
      await assertRejectsWithCode(store().files.deleteRevision({ fileId: MISSING_ID, revisionId: MISSING_ID }), 'FILE_NOT_FOUND');
    });

    it('deleting both remaining revisions at once deletes the file exactly once', async () => {
      const owner = await createUser(store());
      const { file, currentRevision: first } = await createFile(store(), owner.id);
      const second = await store().files.addRevision({ fileId: file.id, revision: newRevision(owner.id) });
      const results = await Promise.all([
        store().files.deleteRevision({ fileId: file.id, revisionId: first.id }),
        store().files.deleteRevision({ fileId: file.id, revisionId: second.id }),
      ]);
      assert.deepEqual(results.map((result) => result.fileDeleted).sort(), [false, true]);
      assert.deepEqual(results.map((result) => result.blobKey).sort(), [first.blobKey, second.blobKey].sort());
      assert.equal(await store().files.getFile(file.id), undefined);
    });
  });

  describe('deleting files', () => {
    it('returns the blob keys of every revision and removes the file, its revisions and entries', async () => {
      const owner = await createUser(store());
      const { file, currentRevision: first } = await createFile(store(), owner.id);
      const second = await store().files.addRevision({ fileId: file.id, revision: newRevision(owner.id) });
      const { blobKeys } = await store().files.deleteFile(file.id);
      assert.deepEqual([...blobKeys].sort(), [first.blobKey, second.blobKey].sort());
      assert.equal(await store().files.getFile(file.id), undefined);
      assert.equal(await store().files.getRevision({ fileId: file.id, revisionId: second.id }), undefined);
      assert.deepEqual((await store().files.listRevisions([file.id])).get(file.id) ?? [], []);
      assert.deepEqual(await store().permissions.entriesFor({ fileId: file.id, userId: owner.id, groupIds: [] }), []);
    });

    it('deleting a missing file is FILE_NOT_FOUND, including a second delete', async () => {
      const owner = await createUser(store());
      const { file } = await createFile(store(), owner.id);
      await store().files.deleteFile(file.id);
      await assertRejectsWithCode(store().files.deleteFile(file.id), 'FILE_NOT_FOUND');
      await assertRejectsWithCode(store().files.deleteFile(MISSING_ID), 'FILE_NOT_FOUND');
    });

    it('other files are untouched', async () => {
      const owner = await createUser(store());
      const doomed = await createFile(store(), owner.id);
      const kept = await createFile(store(), owner.id);
      await store().files.deleteFile(doomed.file.id);
      assert.deepEqual(await store().files.getFileWithRevision(kept.file.id), kept);
    });
  });

  describe('blob references', () => {
    it('a blob key is referenced while a revision uses it, and not after', async () => {
      const owner = await createUser(store());
      const { file, currentRevision: first } = await createFile(store(), owner.id);
      const second = await store().files.addRevision({ fileId: file.id, revision: newRevision(owner.id) });
      assert.deepEqual(await store().files.referencedBlobKeys([first.blobKey, 'blobs/never-stored', second.blobKey]), new Set([first.blobKey, second.blobKey]));
      assert.deepEqual(await store().files.referencedBlobKeys([]), new Set());
      await store().files.deleteRevision({ fileId: file.id, revisionId: first.id });
      assert.deepEqual(await store().files.referencedBlobKeys([first.blobKey, second.blobKey]), new Set([second.blobKey]));
    });

    it('answers for a batch as large as the sweep asks at once', async () => {
      const owner = await createUser(store());
      const { currentRevision } = await createFile(store(), owner.id);
      const unknown = Array.from({ length: 999 }, (_, index) => `blobs/never-stored-${index}`);
      assert.deepEqual(await store().files.referencedBlobKeys([...unknown, currentRevision.blobKey]), new Set([currentRevision.blobKey]));
    });
  });
}
