// Issue "Domo's client works unchanged": the spec's Files API code examples, verbatim
// (test/spec-examples/files-api.examples.js), run through Domo's own client ryuu.js against the real
// server. This file: upload, upload a revision, get file metadata, download.
// test/ryuu-files-api-access.test.ts: list, delete, permissions, errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blobBytes, fileOf, md5Hex, pdfContent, pngContent, randomContent, sha256Hex } from './support/bytes.js';
import {
  assertDomoError,
  assertFile,
  assertPositiveInteger,
  reviseVia,
  startRyuuFilesWorld,
  timed,
  uploadVia,
  withoutMetadata,
  type ExpectedFile,
  type ExpectedRevision,
  type RyuuFilesWorld,
  type Upload,
} from './support/ryuuFiles.js';
import type { TestUser } from './support/server.js';

let world: RyuuFilesWorld;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  world = await startRyuuFilesWorld(['alice', 'bob']);
  ({ alice, bob } = world.users);
});
after(() => world?.cleanup());

const upload = (user: TestUser, input: Upload) => uploadVia(world, user, input);
const revise = (user: TestUser, dataFileId: number, file: File, contentType: string) => reviseVia(world, user, dataFileId, file, contentType);

describe('Upload a file: uploadFile(name, description, public, file)', () => {
  it('returns {dataFileId}; the file has every field the spec lists, typed as decided', async () => {
    const expected = await upload(alice, {
      file: fileOf(pdfContent('Q3'), 'q3.pdf', 'application/pdf'),
      name: 'Quarterly report',
      description: 'Q3 numbers',
      isPublic: false,
      contentType: 'application/pdf',
    });
    assertFile(await world.api.getFileDetails(expected.dataFileId, ['metadata']), expected);
    assertFile(await world.api.getFileDetails(expected.dataFileId), withoutMetadata(expected));
  });

  it('sends what Domo would receive: the relative url, the session header, a multipart form', async () => {
    world.ryuu.calls.length = 0;
    await upload(alice, {
      file: fileOf('a,b\n1,2\n', 'table.csv', 'text/csv'),
      name: 'table',
      description: 'numbers',
      isPublic: false,
      contentType: 'text/csv',
    });
    assert.equal(world.ryuu.calls.length, 1);
    const [call] = world.ryuu.calls;
    assert.equal(call.method, 'POST');
    assert.equal(call.url, '/domo/data-files/v1?name=table&description=numbers&public=false');
    assert.equal(call.headers['x-domo-ryuu-session'], alice.token);
    assert.equal(call.headers['content-type'], undefined, "contentType 'multipart' leaves the boundary to fetch");
    assert.ok(call.body instanceof FormData, 'the body is the FormData the example built');
  });

  it('with public=false, the uploader reads it and another user gets 404', async () => {
    const expected = await upload(alice, {
      file: fileOf(randomContent(1000), 'secret.bin'),
      name: 'secret',
      description: 'mine',
      isPublic: false,
      contentType: 'application/octet-stream',
    });
    assertFile(await world.api.getFileDetails(expected.dataFileId, ['metadata']), expected);
    await world.as(bob, async () => {
      await assertDomoError(world.api.getFileDetails(expected.dataFileId), 404, 'Not Found');
      await assertDomoError(world.api.downloadFile(expected.dataFileId, 'secret.bin'), 404, 'Not Found');
      const visible = (await world.api.getFileDetailsList()).map((file) => file.dataFileId);
      assert.ok(!visible.includes(expected.dataFileId), "the file is not in bob's list");
    });
  });

  it('with the defaults (description "", public false), as the example declares them', async () => {
    const expected = await upload(alice, { file: fileOf('plain words\n', 'notes.txt', 'text/plain'), name: 'notes', contentType: 'text/plain' });
    assert.deepEqual(expected.metadata, { description: '', publicAccess: false });
    assertFile(await world.api.getFileDetails(expected.dataFileId, ['metadata']), expected);
    await world.as(bob, () => assertDomoError(world.api.getFileDetails(expected.dataFileId), 404, 'Not Found'));
  });

  it('with public=true, every user can read and download it', async () => {
    const file = fileOf(pngContent(300), 'logo.png', 'image/png');
    const expected = await upload(alice, { file, name: 'logo', description: 'for everyone', isPublic: true, contentType: 'image/png' });
    await world.as(bob, async () => {
      assertFile(await world.api.getFileDetails(expected.dataFileId, ['metadata']), expected);
      world.downloads.length = 0;
      await world.api.downloadFile(expected.dataFileId, 'logo.png');
      assert.equal(world.downloads.length, 1);
      assert.deepEqual(await blobBytes(world.downloads[0].data as Blob), expected.current.bytes);
      const listed = (await world.api.getFileDetailsList()).map((entry) => entry.dataFileId);
      assert.ok(listed.includes(expected.dataFileId), "the file is in bob's list");
      const owned = (await world.api.getFileDetailsList(null, null, true)).map((entry) => entry.dataFileId);
      assert.ok(!owned.includes(expected.dataFileId), "but not in bob's limitToOwned list");
    });
  });

  it('keeps the spec\'s sample name "SampleFile", quotes included (the example does not encode it; fetch does)', async () => {
    const expected = await upload(alice, {
      file: fileOf(pdfContent('sample'), 'sample.pdf', 'application/pdf'),
      name: '"SampleFile"',
      description: 'Sample Description',
      contentType: 'application/pdf',
    });
    const details = await world.api.getFileDetails(expected.dataFileId, ['metadata']);
    assert.equal(details.name, '"SampleFile"');
    assertFile(details, expected);
  });

  it('keeps names and descriptions with spaces and non-ASCII characters (fetch percent-encodes what the example interpolates)', async () => {
    const name = 'Résumé 2024 — 東京 ✓';
    const description = 'déjà vu: "quoted" <angled>';
    world.ryuu.calls.length = 0;
    const expected = await upload(alice, {
      file: fileOf(pdfContent('unicode'), 'cv.pdf', 'application/pdf'),
      name,
      description,
      contentType: 'application/pdf',
    });
    assert.equal(world.ryuu.calls[0].url, `/domo/data-files/v1?name=${name}&description=${description}&public=false`, 'the example sends them raw');
    assertFile(await world.api.getFileDetails(expected.dataFileId, ['metadata']), expected);
  });

  it('accepts a plain Blob (FormData names it "blob"); its declared type is kept', async () => {
    const blob = new Blob(['id,total\n1,10\n'], { type: 'text/csv' });
    const bytes = Buffer.from(await blob.arrayBuffer());
    const { result, between } = await timed(() => world.api.uploadFile('from-blob', 'a Blob', false, blob));
    assertPositiveInteger(result.dataFileId, 'dataFileId');
    const expected: ExpectedFile = {
      dataFileId: result.dataFileId,
      name: 'from-blob',
      owner: alice,
      createdBetween: between,
      current: { dataFileId: result.dataFileId, uploader: alice, bytes, contentType: 'text/csv', uploadedBetween: between },
      metadata: { description: 'a Blob', publicAccess: false },
    };
    assertFile(await world.api.getFileDetails(result.dataFileId, ['metadata']), expected);
  });
});

describe('Upload a file revision: uploadRevision(file, dataFileId)', () => {
  it('returns {revisionId}, which becomes the current revision; the file keeps its name, owner and creation time', async () => {
    const original = await upload(alice, {
      file: fileOf(pdfContent('v1'), 'plan.pdf', 'application/pdf'),
      name: 'plan',
      description: 'the plan',
      contentType: 'application/pdf',
    });
    const first = await world.api.getFileDetails(original.dataFileId);
    const revision = await revise(alice, original.dataFileId, fileOf(pngContent(500), 'plan.png', 'image/png'), 'image/png');
    assert.ok(revision.revisionId! > first.currentRevision.dataFileRevisionId, 'a new, larger revision id');
    const details = await world.api.getFileDetails(original.dataFileId, ['metadata']);
    assertFile(details, { ...original, current: revision });
    assert.equal(details.datetimeCreated, first.datetimeCreated, 'datetimeCreated is unchanged');
  });

  it('sends PUT to the file with the form', async () => {
    const original = await upload(alice, { file: fileOf('one', 'one.txt', 'text/plain'), name: 'one', contentType: 'text/plain' });
    world.ryuu.calls.length = 0;
    await revise(alice, original.dataFileId, fileOf('two', 'two.txt', 'text/plain'), 'text/plain');
    const [call] = world.ryuu.calls;
    assert.equal(call.method, 'PUT');
    assert.equal(call.url, `/domo/data-files/v1/${original.dataFileId}`);
    assert.equal(call.headers['content-type'], undefined);
    assert.ok(call.body instanceof FormData);
  });

  it("by another user granted READ_WRITE: the revision's uploadUserId is theirs, the owner stays", async () => {
    const original = await upload(alice, { file: fileOf('draft 1', 'draft.txt', 'text/plain'), name: 'draft', contentType: 'text/plain' });
    await world.api.upadateFilePermissions(original.dataFileId, {
      entries: [{ entityType: 'USER', entityId: String(bob.id), grant: 'READ_WRITE', pass: 'NONE' }],
    });
    const revision = await revise(bob, original.dataFileId, fileOf('draft 2, by bob', 'draft.txt', 'text/plain'), 'text/plain');
    assert.equal(revision.uploader, bob);
    assertFile(await world.api.getFileDetails(original.dataFileId), withoutMetadata({ ...original, current: revision }));
  });

  it('is refused with 403 to a user who may only read, and 404 to one who may not read; nothing changes', async () => {
    const shared = await upload(alice, { file: fileOf('public v1', 'p.txt', 'text/plain'), name: 'public-one', isPublic: true, contentType: 'text/plain' });
    const hidden = await upload(alice, { file: fileOf('private v1', 'q.txt', 'text/plain'), name: 'private-one', contentType: 'text/plain' });
    await world.as(bob, async () => {
      await assertDomoError(world.api.uploadRevision(fileOf('bob was here', 'bob.txt'), shared.dataFileId), 403, 'Forbidden');
      await assertDomoError(world.api.uploadRevision(fileOf('bob was here', 'bob.txt'), hidden.dataFileId), 404, 'Not Found');
    });
    assertFile(await world.api.getFileDetails(shared.dataFileId, ['metadata']), shared);
    assertFile(await world.api.getFileDetails(hidden.dataFileId, ['metadata']), hidden);
  });
});

describe('Get file metadata by ID: getFileDetails(dataFileId, expandList)', () => {
  let expected: ExpectedFile;
  let history: ExpectedRevision[];

  before(async () => {
    expected = await upload(alice, {
      file: fileOf(pdfContent('r1'), 'r.pdf', 'application/pdf'),
      name: 'revised thrice',
      description: 'three revisions',
      contentType: 'application/pdf',
    });
    const second = await revise(alice, expected.dataFileId, fileOf(pngContent(100), 'r.png', 'image/png'), 'image/png');
    const third = await revise(alice, expected.dataFileId, fileOf('third, as text\n', 'r.txt', 'text/plain'), 'text/plain');
    history = [third, second, expected.current];
    expected = { ...expected, current: third };
  });

  it('getFileDetails(id): currentRevision, revisions [], no metadata fields', async () => {
    assertFile(await world.api.getFileDetails(expected.dataFileId), withoutMetadata(expected));
  });

  it("getFileDetails(id, ['revisions']): every revision, newest first", async () => {
    const details = await world.api.getFileDetails(expected.dataFileId, ['revisions']);
    assertFile(details, { ...withoutMetadata(expected), revisions: history });
    const ids = details.revisions.map((revision) => revision.dataFileRevisionId);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'newest first',
    );
  });

  it("getFileDetails(id, ['metadata']): adds description and publicAccess, revisions stay []", async () => {
    assertFile(await world.api.getFileDetails(expected.dataFileId, ['metadata']), expected);
  });

  it("getFileDetails(id, ['revisions', 'metadata']): both", async () => {
    world.ryuu.calls.length = 0;
    assertFile(await world.api.getFileDetails(expected.dataFileId, ['revisions', 'metadata']), { ...expected, revisions: history });
    assert.equal(world.ryuu.calls[0].url, `/domo/data-files/v1/${expected.dataFileId}/details?expand=revisions,metadata`);
    assert.equal(world.ryuu.calls[0].method, 'GET');
  });

  it('another user may read it once it is public, and then sees the same record', async () => {
    await world.as(bob, () => assertDomoError(world.api.getFileDetails(expected.dataFileId), 404, 'Not Found'));
    await world.api.upadateFilePermissions(expected.dataFileId, { publicAccess: true });
    const mine = await world.api.getFileDetails(expected.dataFileId, ['revisions', 'metadata']);
    const theirs = await world.as(bob, () => world.api.getFileDetails(expected.dataFileId, ['revisions', 'metadata']));
    assert.deepEqual(theirs, mine);
    assert.equal(theirs.publicAccess, true);
  });
});

describe('Download a file: downloadFile(dataFileId, filename, revisionId)', () => {
  let expected: ExpectedFile;
  let older: ExpectedRevision;

  before(async () => {
    expected = await upload(alice, {
      file: fileOf(pdfContent('download me'), 'report.pdf', 'application/pdf'),
      name: 'report',
      contentType: 'application/pdf',
    });
    older = expected.current;
    const newer = await revise(alice, expected.dataFileId, fileOf(pngContent(2000), 'report.png', 'image/png'), 'image/png');
    expected = { ...expected, current: newer };
  });

  async function download(dataFileId: number, filename: string, revisionId?: number): Promise<Blob> {
    world.downloads.length = 0;
    const result = await world.api.downloadFile(dataFileId, filename, revisionId);
    assert.equal(result, undefined, 'the example resolves with nothing once Download has the data');
    assert.equal(world.downloads.length, 1, 'Download was called once');
    const [{ data, filename: given }] = world.downloads;
    assert.equal(given, filename, 'Download receives the filename passed in');
    assert.ok(data instanceof Blob, "Download receives a Blob (responseType: 'blob')");
    return data;
  }

  it("downloadFile(id, filename): Download gets the current bytes as a Blob typed with the revision's content type", async () => {
    world.ryuu.calls.length = 0;
    const blob = await download(expected.dataFileId, 'report.png');
    const bytes = await blobBytes(blob);
    assert.deepEqual(bytes, expected.current.bytes);
    assert.equal(sha256Hex(bytes), sha256Hex(expected.current.bytes));
    assert.equal(blob.type, 'image/png');
    assert.equal(blob.size, expected.current.bytes.byteLength);
    assert.equal(world.ryuu.calls[0].url, `/domo/data-files/v1/${expected.dataFileId}`);
  });

  it("downloadFile(id, filename, revisionId): that revision's bytes and type", async () => {
    const details = await world.api.getFileDetails(expected.dataFileId, ['revisions']);
    const olderId = details.revisions[1].dataFileRevisionId;
    world.ryuu.calls.length = 0;
    const blob = await download(expected.dataFileId, 'report.pdf', olderId);
    assert.deepEqual(await blobBytes(blob), older.bytes);
    assert.equal(blob.type, 'application/pdf');
    assert.equal(world.ryuu.calls[0].url, `/domo/data-files/v1/${expected.dataFileId}/revisions/${olderId}`);
    const current = await download(expected.dataFileId, 'report.png', details.currentRevision.dataFileRevisionId);
    assert.deepEqual(await blobBytes(current), expected.current.bytes);
    assert.equal(current.type, 'image/png');
  });

  it('returns every byte of a large binary file, matching the hashes the server reports', async () => {
    const bytes = randomContent(3 * 1024 * 1024 + 17);
    const big = await upload(alice, { file: fileOf(bytes, 'big.bin', 'application/octet-stream'), name: 'big', contentType: 'application/octet-stream' });
    const details = await world.api.getFileDetails(big.dataFileId);
    assertFile(details, withoutMetadata(big));
    const blob = await download(big.dataFileId, 'big.bin');
    const downloaded = await blobBytes(blob);
    assert.equal(downloaded.byteLength, bytes.byteLength);
    assert.ok(downloaded.equals(bytes), 'downloaded bytes equal uploaded bytes');
    assert.equal(md5Hex(downloaded), details.currentRevision.md5Hash);
    assert.equal(sha256Hex(downloaded), details.currentRevision.sha256HashValue);
    assert.equal(blob.type, 'application/octet-stream');
  });

  it('returns an empty file as an empty Blob', async () => {
    const empty = await upload(alice, { file: fileOf('', 'empty.txt', 'text/plain'), name: 'empty', contentType: 'text/plain' });
    assertFile(await world.api.getFileDetails(empty.dataFileId), withoutMetadata(empty));
    const blob = await download(empty.dataFileId, 'empty.txt');
    assert.equal(blob.size, 0);
    assert.equal(blob.type, 'text/plain');
  });

  it('rejects with 404 (and never calls Download) for a user who may not read it, or a revision of another file', async () => {
    world.downloads.length = 0;
    await world.as(bob, () => assertDomoError(world.api.downloadFile(expected.dataFileId, 'report.png'), 404, 'Not Found'));
    const other = await upload(alice, { file: fileOf('other', 'other.txt', 'text/plain'), name: 'other', contentType: 'text/plain' });
    const otherRevision = (await world.api.getFileDetails(other.dataFileId)).currentRevision.dataFileRevisionId;
    await assertDomoError(world.api.downloadFile(expected.dataFileId, 'x', otherRevision), 404, 'Not Found');
    assert.equal(world.downloads.length, 0);
  });
});
