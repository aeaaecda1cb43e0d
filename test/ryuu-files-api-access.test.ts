// Issue "Domo's client works unchanged", part two: the spec's list, delete and permissions
// examples (test/spec-examples/files-api.examples.js, verbatim) through ryuu.js against the real
// server, and the errors ryuu.js hands an app. Part one: test/ryuu-files-api.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blobBytes, fileOf, pdfContent, pngContent, randomContent } from './support/bytes.js';
import {
  assertDomoError,
  assertFile,
  reviseVia,
  startRyuuFilesWorld,
  uploadVia,
  withoutMetadata,
  type ExpectedFile,
  type ExpectedRevision,
  type RyuuFilesWorld,
  type Upload,
  type WireFile,
} from './support/ryuuFiles.js';
import type { TestUser } from './support/server.js';

let world: RyuuFilesWorld;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

before(async () => {
  world = await startRyuuFilesWorld(['alice', 'bob', 'carol']);
  ({ alice, bob, carol } = world.users);
});
after(() => world?.cleanup());

const upload = (user: TestUser, input: Upload) => uploadVia(world, user, input);
const revise = (user: TestUser, dataFileId: number, file: Blob, contentType: string) => reviseVia(world, user, dataFileId, file, contentType);
const text = (content: string, name = 'note.txt') => fileOf(content, name, 'text/plain');
const ownerEntry = (user: TestUser) => ({ entityType: 'USER', entityId: String(user.id), grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' });
const readEntry = (user: TestUser) => ({ entityType: 'USER', entityId: String(user.id), grant: 'READ', pass: 'NONE' });
const idsOf = (files: WireFile[]) => files.map((file) => file.dataFileId);
const byId = (a: ExpectedFile, b: ExpectedFile) => a.dataFileId - b.dataFileId;

/** Checks a list reply against the files it must hold, in dataFileId order, every field. */
function assertList(list: WireFile[], expected: ExpectedFile[], options: { metadata?: boolean; revisions?: Map<number, ExpectedRevision[]> } = {}): void {
  const sorted = [...expected].sort(byId);
  assert.deepEqual(
    idsOf(list),
    sorted.map((file) => file.dataFileId),
    'the files listed, ordered by dataFileId',
  );
  sorted.forEach((file, index) => {
    assertFile(list[index], {
      ...(options.metadata ? file : withoutMetadata(file)),
      revisions: options.revisions?.get(file.dataFileId),
    });
  });
}

// First in this file, so the only files on the server are the ones made here.
describe('Get all files metadata: getFileDetailsList(ids, expand, limitToOwned)', () => {
  let aliceRevised: ExpectedFile;
  let alicePublic: ExpectedFile;
  let bobPrivate: ExpectedFile;
  let bobPublic: ExpectedFile;
  let bobShared: ExpectedFile;
  const history = new Map<number, ExpectedRevision[]>();

  before(async () => {
    aliceRevised = await upload(alice, {
      file: fileOf(pdfContent('list v1'), 'list.pdf', 'application/pdf'),
      name: 'alice revised',
      description: 'two revisions',
      contentType: 'application/pdf',
    });
    const second = await revise(alice, aliceRevised.dataFileId, fileOf(pngContent(50), 'list.png', 'image/png'), 'image/png');
    history.set(aliceRevised.dataFileId, [second, aliceRevised.current]);
    aliceRevised = { ...aliceRevised, current: second };
    alicePublic = await upload(alice, { file: text('alice, public'), name: 'alice public', description: 'for all', isPublic: true, contentType: 'text/plain' });
    history.set(alicePublic.dataFileId, [alicePublic.current]);
    bobPrivate = await upload(bob, { file: text('bob, private'), name: 'bob private', contentType: 'text/plain' });
    bobPublic = await upload(bob, { file: text('bob, public'), name: 'bob public', isPublic: true, contentType: 'text/plain' });
    history.set(bobPublic.dataFileId, [bobPublic.current]);
    bobShared = await upload(bob, { file: text('bob, shared with alice'), name: 'bob shared', description: 'for alice', contentType: 'text/plain' });
    history.set(bobShared.dataFileId, [bobShared.current]);
    await world.as(bob, () => world.api.upadateFilePermissions(bobShared.dataFileId, { entries: [readEntry(alice)] }));
  });

  it('getFileDetailsList(), the default: every file the user may read (own, shared, public), revisions [], no metadata', async () => {
    world.ryuu.calls.length = 0;
    assertList(await world.api.getFileDetailsList(), [aliceRevised, alicePublic, bobPublic, bobShared]);
    assert.equal(world.ryuu.calls[0].url, '/domo/data-files/v1/details/?limitToOwned=false');
  });

  it('getFileDetailsList() for a user with no files and nothing shared: the public files only', async () => {
    await world.as(carol, async () => {
      assertList(await world.api.getFileDetailsList(), [alicePublic, bobPublic]);
      assert.deepEqual(await world.api.getFileDetailsList(null, null, true), []);
    });
  });

  it('getFileDetailsList(ids): exactly those files, unreadable ids left out', async () => {
    world.ryuu.calls.length = 0;
    assertList(await world.api.getFileDetailsList([bobShared.dataFileId, aliceRevised.dataFileId]), [aliceRevised, bobShared]);
    assert.equal(world.ryuu.calls[0].url, `/domo/data-files/v1/details/?limitToOwned=false&ids=${bobShared.dataFileId}%2C${aliceRevised.dataFileId}`);
    assertList(await world.api.getFileDetailsList([alicePublic.dataFileId]), [alicePublic]);
    assertList(await world.api.getFileDetailsList([bobPrivate.dataFileId, alicePublic.dataFileId]), [alicePublic]);
    assert.deepEqual(await world.api.getFileDetailsList([bobPrivate.dataFileId]), []);
  });

  it("getFileDetailsList(null, ['revisions', 'metadata']): revisions newest first, and description/publicAccess", async () => {
    world.ryuu.calls.length = 0;
    const list = await world.api.getFileDetailsList(null, ['revisions', 'metadata']);
    assert.equal(world.ryuu.calls[0].url, '/domo/data-files/v1/details/?limitToOwned=false&expand=revisions%2Cmetadata');
    assertList(list, [aliceRevised, alicePublic, bobPublic, bobShared], { metadata: true, revisions: history });
    const revised = list.find((file) => file.dataFileId === aliceRevised.dataFileId)!;
    assert.deepEqual(
      revised.revisions.map((revision) => revision.contentType),
      ['image/png', 'application/pdf'],
      'newest first',
    );
  });

  it("getFileDetailsList(ids, ['metadata']) and (ids, ['revisions']): each expansion alone", async () => {
    const ids = [aliceRevised.dataFileId, bobPublic.dataFileId];
    assertList(await world.api.getFileDetailsList(ids, ['metadata']), [aliceRevised, bobPublic], { metadata: true });
    assertList(await world.api.getFileDetailsList(ids, ['revisions']), [aliceRevised, bobPublic], { revisions: history });
  });

  it('getFileDetailsList(null, null, true): only the files the user uploaded, not those shared or public', async () => {
    world.ryuu.calls.length = 0;
    assertList(await world.api.getFileDetailsList(null, null, true), [aliceRevised, alicePublic]);
    assert.equal(world.ryuu.calls[0].url, '/domo/data-files/v1/details/?limitToOwned=true');
    assertList(await world.api.getFileDetailsList([bobShared.dataFileId, alicePublic.dataFileId], ['metadata'], true), [alicePublic], { metadata: true });
    await world.as(bob, async () => assertList(await world.api.getFileDetailsList(null, null, true), [bobPrivate, bobPublic, bobShared]));
  });
});

describe('Delete a file: deleteFile(dataFileId, revisionId)', () => {
  /** A file with three revisions (oldest first), and their ids. */
  async function threeRevisions(owner: TestUser, name: string, isPublic = false) {
    const created = await upload(owner, {
      file: fileOf(pdfContent(`${name} 1`), `${name}.pdf`, 'application/pdf'),
      name,
      isPublic,
      contentType: 'application/pdf',
    });
    const second = await revise(owner, created.dataFileId, fileOf(pngContent(80), `${name}.png`, 'image/png'), 'image/png');
    const third = await revise(owner, created.dataFileId, text(`${name} 3`), 'text/plain');
    const details = await world.as(owner, () => world.api.getFileDetails(created.dataFileId, ['revisions']));
    const [thirdId, secondId, firstId] = details.revisions.map((revision) => revision.dataFileRevisionId);
    return {
      created,
      revisions: [
        { ...created.current, revisionId: firstId },
        { ...second, revisionId: secondId },
        { ...third, revisionId: thirdId },
      ],
    };
  }

  async function downloaded(dataFileId: number, revisionId?: number): Promise<{ bytes: Buffer; type: string }> {
    world.downloads.length = 0;
    await world.api.downloadFile(dataFileId, 'file', revisionId);
    const blob = world.downloads[0].data as Blob;
    return { bytes: await blobBytes(blob), type: blob.type };
  }

  it('deleting the current revision makes the previous one current (its bytes, its type)', async () => {
    const { created, revisions } = await threeRevisions(alice, 'rollback');
    const [first, second, third] = revisions;
    world.ryuu.calls.length = 0;
    const reply = await world.api.deleteFile(created.dataFileId, third.revisionId!);
    assert.deepEqual(reply, {}, 'HTTP/1.1 200 OK with {} (docs/decisions.md 78): ryuu.js resolves with it parsed');
    assert.equal(world.ryuu.calls[0].method, 'DELETE');
    assert.equal(world.ryuu.calls[0].url, `/domo/data-files/v1/${created.dataFileId}/revisions/${third.revisionId}`);
    assertFile(await world.api.getFileDetails(created.dataFileId, ['revisions']), withoutMetadata({ ...created, current: second, revisions: [second, first] }));
    assert.deepEqual(await downloaded(created.dataFileId), { bytes: second.bytes, type: 'image/png' });
    await assertDomoError(world.api.downloadFile(created.dataFileId, 'gone', third.revisionId), 404, 'Not Found');
    await assertDomoError(world.api.deleteFile(created.dataFileId, third.revisionId!), 404, 'Not Found');
  });

  it('deleting an older revision leaves the current one', async () => {
    const { created, revisions } = await threeRevisions(alice, 'prune');
    const [first, second, third] = revisions;
    // docs/decisions.md 78: {} rather than nothing, which ryuu.js hands over parsed.
    assert.deepEqual(await world.api.deleteFile(created.dataFileId, second.revisionId!), {});
    assertFile(await world.api.getFileDetails(created.dataFileId, ['revisions']), withoutMetadata({ ...created, current: third, revisions: [third, first] }));
    assert.deepEqual(await downloaded(created.dataFileId, first.revisionId), { bytes: first.bytes, type: 'application/pdf' });
    await assertDomoError(world.api.downloadFile(created.dataFileId, 'gone', second.revisionId), 404, 'Not Found');
  });

  it('deleting the last revision deletes the file: 404 afterwards, and gone from the list', async () => {
    const { created, revisions } = await threeRevisions(alice, 'vanish');
    for (const revision of [...revisions].reverse()) assert.deepEqual(await world.api.deleteFile(created.dataFileId, revision.revisionId!), {});
    await assertDomoError(world.api.getFileDetails(created.dataFileId), 404, 'Not Found');
    await assertDomoError(world.api.downloadFile(created.dataFileId, 'gone'), 404, 'Not Found');
    await assertDomoError(world.api.getFilePermissions(created.dataFileId), 404, 'Not Found');
    await assertDomoError(world.api.deleteFile(created.dataFileId, revisions[0].revisionId!), 404, 'Not Found');
    assert.ok(!idsOf(await world.api.getFileDetailsList()).includes(created.dataFileId));
    assert.deepEqual(await world.api.getFileDetailsList([created.dataFileId]), []);
  });

  it('is refused with 403 to a user who may only read, 404 to one who may not; nothing is deleted', async () => {
    const open = await threeRevisions(alice, 'open', true);
    const closed = await threeRevisions(alice, 'closed');
    await world.as(bob, async () => {
      await assertDomoError(world.api.deleteFile(open.created.dataFileId, open.revisions[2].revisionId!), 403, 'Forbidden');
      await assertDomoError(world.api.deleteFile(closed.created.dataFileId, closed.revisions[2].revisionId!), 404, 'Not Found');
    });
    for (const { created, revisions } of [open, closed]) {
      assertFile(
        await world.api.getFileDetails(created.dataFileId, ['revisions']),
        withoutMetadata({ ...created, current: revisions[2], revisions: [...revisions].reverse() }),
      );
    }
  });
});

describe('Get file permissions: getFilePermissions(dataFileId)', () => {
  it("returns the spec's shape: publicAccess false and the owner's READ_WRITE_DELETE_SHARE_ADMIN entry, entityId a string", async () => {
    const created = await upload(alice, { file: text('perm'), name: 'perm', contentType: 'text/plain' });
    world.ryuu.calls.length = 0;
    const permissions = await world.api.getFilePermissions(created.dataFileId);
    assert.equal(world.ryuu.calls[0].url, `/domo/data-files/v1/${created.dataFileId}/permissions`);
    assert.deepEqual(permissions, { publicAccess: false, entries: [ownerEntry(alice)] });
    assert.deepEqual(Object.keys(permissions), ['publicAccess', 'entries']);
    assert.deepEqual(Object.keys(permissions.entries[0]), ['entityType', 'entityId', 'grant', 'pass']);
    assert.equal(typeof permissions.entries[0].entityId, 'string');
  });

  it('reports publicAccess true for a file uploaded with public=true', async () => {
    const created = await upload(alice, { file: text('open'), name: 'open perm', isPublic: true, contentType: 'text/plain' });
    assert.deepEqual(await world.api.getFilePermissions(created.dataFileId), { publicAccess: true, entries: [ownerEntry(alice)] });
  });

  it('is 403 to a user who may only read (it needs SHARE) and 404 to one who may not read', async () => {
    const open = await upload(alice, { file: text('o'), name: 'o', isPublic: true, contentType: 'text/plain' });
    const closed = await upload(alice, { file: text('c'), name: 'c', contentType: 'text/plain' });
    await world.as(bob, async () => {
      await assertDomoError(world.api.getFilePermissions(open.dataFileId), 403, 'Forbidden');
      await assertDomoError(world.api.getFilePermissions(closed.dataFileId), 404, 'Not Found');
    });
  });
});

describe('Update file permissions: upadateFilePermissions(dataFileId, data)', () => {
  it('granting READ to another user lets them read and download it, and nothing more', async () => {
    const bytes = randomContent(4096);
    const created = await upload(alice, {
      file: fileOf(bytes, 'granted.bin', 'application/octet-stream'),
      name: 'granted',
      contentType: 'application/octet-stream',
    });
    await world.as(bob, () => assertDomoError(world.api.getFileDetails(created.dataFileId), 404, 'Not Found'));

    world.ryuu.calls.length = 0;
    const reply = await world.api.upadateFilePermissions(created.dataFileId, { entries: [ownerEntry(alice), readEntry(bob)] });
    assert.deepEqual(reply, {}, 'HTTP/1.1 200 OK with {} (docs/decisions.md 78): ryuu.js resolves with it parsed');
    const [call] = world.ryuu.calls;
    assert.equal(call.method, 'PUT');
    assert.equal(call.headers['content-type'], 'application/json', 'ryuu.js sends the permissions object as JSON');
    assert.deepEqual(JSON.parse(call.body as string), { entries: [ownerEntry(alice), readEntry(bob)] });
    assert.deepEqual(await world.api.getFilePermissions(created.dataFileId), { publicAccess: false, entries: [ownerEntry(alice), readEntry(bob)] });

    await world.as(bob, async () => {
      assertFile(await world.api.getFileDetails(created.dataFileId, ['metadata']), created);
      world.downloads.length = 0;
      await world.api.downloadFile(created.dataFileId, 'granted.bin');
      assert.deepEqual(await blobBytes(world.downloads[0].data as Blob), bytes);
      assert.ok(idsOf(await world.api.getFileDetailsList()).includes(created.dataFileId), "in bob's list");
      await assertDomoError(world.api.uploadRevision(text('bob edits'), created.dataFileId), 403, 'Forbidden');
      await assertDomoError(world.api.getFilePermissions(created.dataFileId), 403, 'Forbidden');
      await assertDomoError(world.api.upadateFilePermissions(created.dataFileId, { publicAccess: true }), 403, 'Forbidden');
    });
    await world.as(carol, () => assertDomoError(world.api.getFileDetails(created.dataFileId), 404, 'Not Found'));
  });

  it("takes the spec's own request body (publicAccess true, the owner's entry): everyone may read; false takes it back", async () => {
    const created = await upload(alice, { file: text('spec body'), name: 'spec body', contentType: 'text/plain' });
    await world.api.upadateFilePermissions(created.dataFileId, { entries: [ownerEntry(alice), readEntry(bob)] });
    // The spec's body, with this server's owner id in place of 1089963280.
    const specBody = {
      publicAccess: true,
      entries: [{ entityType: 'USER', entityId: String(alice.id), grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' }],
    };
    assert.deepEqual(await world.api.upadateFilePermissions(created.dataFileId, specBody), {});
    assert.deepEqual(await world.api.getFilePermissions(created.dataFileId), specBody, 'round-trips; entries are replaced (bob is gone)');
    for (const user of [bob, carol]) {
      const seen = await world.as(user, () => world.api.getFileDetails(created.dataFileId, ['metadata']));
      assertFile(seen, { ...created, metadata: { description: '', publicAccess: true } });
    }

    assert.deepEqual(await world.api.upadateFilePermissions(created.dataFileId, { ...specBody, publicAccess: false }), {});
    assert.deepEqual(await world.api.getFilePermissions(created.dataFileId), { ...specBody, publicAccess: false });
    for (const user of [bob, carol]) {
      await world.as(user, () => assertDomoError(world.api.getFileDetails(created.dataFileId), 404, 'Not Found'));
    }
    assert.equal((await world.api.getFileDetails(created.dataFileId, ['metadata'])).publicAccess, false);
  });

  it('publicAccess alone changes only the public flag', async () => {
    const created = await upload(alice, { file: text('flag'), name: 'flag', contentType: 'text/plain' });
    await world.api.upadateFilePermissions(created.dataFileId, { entries: [readEntry(bob)] });
    await world.api.upadateFilePermissions(created.dataFileId, { publicAccess: true });
    assert.deepEqual(await world.api.getFilePermissions(created.dataFileId), { publicAccess: true, entries: [ownerEntry(alice), readEntry(bob)] });
    await world.api.upadateFilePermissions(created.dataFileId, { publicAccess: false });
    assert.deepEqual(await world.api.getFilePermissions(created.dataFileId), { publicAccess: false, entries: [ownerEntry(alice), readEntry(bob)] });
  });

  it("rejects an invalid permissions object with 400 in Domo's shape, changing nothing", async () => {
    const created = await upload(alice, { file: text('strict'), name: 'strict', contentType: 'text/plain' });
    await assertDomoError(
      world.api.upadateFilePermissions(created.dataFileId, { entries: [{ entityType: 'USER', entityId: String(bob.id), grant: 'OWNER', pass: 'NONE' }] }),
      400,
      'Bad Request',
    );
    assert.deepEqual(await world.api.getFilePermissions(created.dataFileId), { publicAccess: false, entries: [ownerEntry(alice)] });
  });
});

describe('Errors through ryuu.js', () => {
  const missing = 987_654_321;

  it("a missing file: every example rejects with 404 and Domo's {status, statusReason, message, toe}", async () => {
    world.downloads.length = 0;
    await assertDomoError(world.api.getFileDetails(missing), 404, 'Not Found');
    await assertDomoError(world.api.getFileDetails(missing, ['revisions', 'metadata']), 404, 'Not Found');
    await assertDomoError(world.api.downloadFile(missing, 'nothing'), 404, 'Not Found');
    await assertDomoError(world.api.downloadFile(missing, 'nothing', 1), 404, 'Not Found');
    await assertDomoError(world.api.uploadRevision(text('into the void'), missing), 404, 'Not Found');
    await assertDomoError(world.api.deleteFile(missing, 1), 404, 'Not Found');
    await assertDomoError(world.api.getFilePermissions(missing), 404, 'Not Found');
    await assertDomoError(world.api.upadateFilePermissions(missing, { publicAccess: true }), 404, 'Not Found');
    assert.equal(world.downloads.length, 0, 'Download is never called');
    assert.deepEqual(await world.api.getFileDetailsList([missing]), [], 'a list filtered to a missing id is empty, not an error');
  });

  it('each error carries its own toe', async () => {
    const first = await assertDomoError(world.api.getFileDetails(missing), 404, 'Not Found');
    const second = await assertDomoError(world.api.getFileDetails(missing), 404, 'Not Found');
    assert.notEqual(first.toe, second.toe);
  });

  it('no token (window.__RYUU_SID__ unset): 401', async () => {
    const created = await upload(alice, { file: text('authn'), name: 'authn', isPublic: true, contentType: 'text/plain' });
    world.ryuu.calls.length = 0;
    await world.as(undefined, async () => {
      await assertDomoError(world.api.getFileDetails(created.dataFileId), 401, 'Unauthorized');
      await assertDomoError(world.api.getFileDetailsList(), 401, 'Unauthorized');
      await assertDomoError(world.api.uploadFile('anonymous', '', false, text('x')), 401, 'Unauthorized');
    });
    assert.equal(world.ryuu.calls[0].headers['x-domo-ryuu-session'], undefined, 'ryuu.js sent no session header');
  });

  it('an unknown token: 401', async () => {
    await world.as({ id: 0, name: 'nobody', token: 'not-a-token-this-server-issued-0000000000' }, () =>
      assertDomoError(world.api.getFileDetailsList(), 401, 'Unauthorized'),
    );
  });

  it('an expand the spec does not list: 400', async () => {
    const created = await upload(alice, { file: text('expand'), name: 'expand', contentType: 'text/plain' });
    await assertDomoError(world.api.getFileDetails(created.dataFileId, ['owners']), 400, 'Bad Request');
    await assertDomoError(world.api.getFileDetailsList(null, ['revisions', 'owners']), 400, 'Bad Request');
  });

  it('uploadFile with a file that is not a File or Blob: FormData carries a string, not a file, and the server answers 400', async () => {
    await assertDomoError(world.api.uploadFile('not a file', '', false, 'just text' as unknown as Blob), 400, 'Bad Request');
  });
});
