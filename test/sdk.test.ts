// Issue #4, "SDK": every function of @datafiles/sdk against the real server, as an app imports it
// (the package's built entry point, resolved through the npm workspace).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createClient, DatafilesError, MIN_PART_SIZE, type DatafilesClient, type FileDetails } from '@datafiles/sdk';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let asAlice: DatafilesClient;
let asBob: DatafilesClient;

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
  asAlice = createClient({ baseUrl: server.url, token: alice.token });
  asBob = createClient({ baseUrl: server.url, token: bob.token });
});
after(() => server?.cleanup());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').toUpperCase();
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex').toUpperCase();

async function rejectsWith(promise: Promise<unknown>, status: number, statusReason: string, message?: RegExp): Promise<DatafilesError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DatafilesError, `a DatafilesError, not ${String(error)}`);
    assert.equal(error.status, status, error.message);
    assert.equal(error.statusReason, statusReason);
    if (message) assert.match(error.message, message);
    if (status !== 0) assert.match(error.toe ?? '', /\S/, 'toe names the request');
    return error;
  }
  assert.fail(`expected a ${status} DatafilesError`);
}

async function uploaded(client: DatafilesClient, bytes: Uint8Array, name: string, type = 'application/octet-stream'): Promise<FileDetails> {
  const { dataFileId } = await client.uploadFile(new File([bytes as BlobPart], name, { type }));
  return client.getFileDetails(dataFileId);
}

describe('uploadFile and getFileDetails', () => {
  it('uploads a File under its own name and answers {dataFileId}; the details match the bytes', async () => {
    const bytes = randomBytes(10_000);
    const result = await asAlice.uploadFile(new File([bytes], 'numbers.bin'));
    assert.deepEqual(Object.keys(result), ['dataFileId']);
    assert.ok(Number.isInteger(result.dataFileId));
    const details = await asAlice.getFileDetails(result.dataFileId);
    assert.equal(details.name, 'numbers.bin');
    assert.equal(details.responsibleUserId, alice.id);
    assert.equal(details.currentRevision.sizeBytes, bytes.length);
    assert.equal(details.currentRevision.sha256HashValue, sha256(bytes));
    assert.equal(details.currentRevision.md5Hash, md5(bytes));
    assert.deepEqual(details.revisions, []);
    assert.equal(details.description, undefined, 'metadata only with expand=metadata');
  });

  it('takes name, description and public as options, encoded safely in the query', async () => {
    const name = 'Q3 & Q4 "report" ?#%.txt';
    const { dataFileId } = await asAlice.uploadFile(new Blob(['hello']), { name, description: 'a & b = c', public: true });
    const details = await asAlice.getFileDetails(dataFileId, { expand: ['metadata'] });
    assert.equal(details.name, name);
    assert.equal(details.description, 'a & b = c');
    assert.equal(details.publicAccess, true);
    assert.equal((await asBob.getFileDetails(dataFileId)).dataFileId, dataFileId, 'public: bob reads it');
  });

  it('refuses a Blob with no name before sending anything', async () => {
    await assert.rejects(asAlice.uploadFile(new Blob(['x'])), TypeError);
  });
});

describe('uploadRevision', () => {
  it('adds a revision that becomes current; expand=revisions lists both, newest first', async () => {
    const first = await uploaded(asAlice, Buffer.from('version one'), 'doc.txt', 'text/plain');
    const { revisionId } = await asAlice.uploadRevision(first.dataFileId, new File(['version two'], 'doc.txt', { type: 'text/plain' }));
    assert.ok(revisionId > first.currentRevision.dataFileRevisionId);
    const details = await asAlice.getFileDetails(first.dataFileId, { expand: ['revisions', 'metadata'] });
    assert.equal(details.currentRevision.dataFileRevisionId, revisionId);
    assert.deepEqual(
      details.revisions.map((revision) => revision.dataFileRevisionId),
      [revisionId, first.currentRevision.dataFileRevisionId],
    );
  });

  it("is refused to a user who may not write: bob gets the server's 404", async () => {
    const file = await uploaded(asAlice, Buffer.from('private'), 'private.txt');
    await rejectsWith(asBob.uploadRevision(file.dataFileId, new Blob(['mine now'])), 404, 'Not Found');
  });
});

describe('getFileDetailsList', () => {
  it('lists what the caller may read, filtered by ids and limitToOwned, ordered by id', async () => {
    const mine = await uploaded(asBob, Buffer.from('bob 1'), 'b1.txt');
    const mineToo = await uploaded(asBob, Buffer.from('bob 2'), 'b2.txt');
    const all = await asBob.getFileDetailsList();
    const ids = all.map((file) => file.dataFileId);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.ok(ids.includes(mine.dataFileId) && ids.includes(mineToo.dataFileId));
    const owned = await asBob.getFileDetailsList({ limitToOwned: true });
    assert.ok(owned.every((file) => file.responsibleUserId === bob.id));
    assert.ok(owned.length < all.length, "alice's public file is listed but not owned");
    const some = await asBob.getFileDetailsList({ ids: [mineToo.dataFileId], expand: ['revisions', 'metadata'] });
    assert.deepEqual(
      some.map((file) => file.dataFileId),
      [mineToo.dataFileId],
    );
    assert.equal(some[0].revisions.length, 1);
    assert.equal(some[0].publicAccess, false);
    assert.equal((await asBob.getFileDetailsList({ limitToOwned: true, limit: 1 })).length, 1);
  });
});

describe('downloadFile', () => {
  let file: FileDetails;
  let bytes: Buffer;
  before(async () => {
    bytes = randomBytes(300_000);
    file = await uploaded(asAlice, bytes, 'data set.bin');
  });

  it('as a Blob by default, with the type, length, SHA-256 (from the ETag) and name', async () => {
    const download = await asAlice.downloadFile(file.dataFileId);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.blob.arrayBuffer()), bytes);
    assert.equal(download.contentType, 'application/octet-stream');
    assert.equal(download.contentLength, bytes.length);
    assert.equal(download.totalBytes, bytes.length);
    assert.equal(download.sha256, sha256(bytes));
    assert.equal(download.filename, 'data set.bin');
    assert.equal(download.range, undefined);
  });

  it('as a stream, read as it arrives', async () => {
    const download = await asAlice.downloadFile(file.dataFileId, { as: 'stream' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    assert.deepEqual(Buffer.concat(chunks), bytes);
  });

  it('a Range: start–end, start to the end, and the last n bytes (206 with Content-Range)', async () => {
    const middle = await asAlice.downloadFile(file.dataFileId, { range: { start: 1000, end: 1999 } });
    assert.equal(middle.status, 206);
    assert.deepEqual(middle.range, { start: 1000, end: 1999 });
    assert.equal(middle.totalBytes, bytes.length);
    assert.deepEqual(Buffer.from(await middle.blob.arrayBuffer()), bytes.subarray(1000, 2000));
    const tail = await asAlice.downloadFile(file.dataFileId, { range: { start: 299_000 }, as: 'stream' });
    assert.deepEqual(Buffer.from(await new Response(tail.body).arrayBuffer()), bytes.subarray(299_000));
    const suffix = await asAlice.downloadFile(file.dataFileId, { range: { suffix: 10 } });
    assert.deepEqual(Buffer.from(await suffix.blob.arrayBuffer()), bytes.subarray(bytes.length - 10));
    await rejectsWith(asAlice.downloadFile(file.dataFileId, { range: { start: bytes.length + 5 } }), 416, 'Range Not Satisfiable');
  });

  it('a given revision, and 304 for an ETag the caller holds', async () => {
    const { revisionId } = await asAlice.uploadRevision(file.dataFileId, new File(['newer'], 'data set.bin'));
    const old = await asAlice.downloadFile(file.dataFileId, { revisionId: file.currentRevision.dataFileRevisionId });
    assert.equal(old.sha256, sha256(bytes));
    const current = await asAlice.downloadFile(file.dataFileId);
    assert.equal(await current.blob.text(), 'newer');
    const unchanged = await asAlice.downloadFile(file.dataFileId, { ifNoneMatch: current.etag });
    assert.equal(unchanged.status, 304);
    assert.equal(unchanged.blob.size, 0);
    await asAlice.deleteFile(file.dataFileId, { revisionId });
  });

  it("is 404 for a file the caller may not read, in the server's words", async () => {
    await rejectsWith(asBob.downloadFile(file.dataFileId), 404, 'Not Found', /file/i);
  });
});

describe('deleteFile', () => {
  it('deletes one revision (the previous one becomes current), then the whole file', async () => {
    const file = await uploaded(asAlice, Buffer.from('one'), 'versions.txt');
    const { revisionId } = await asAlice.uploadRevision(file.dataFileId, new Blob(['two']));
    await asAlice.deleteFile(file.dataFileId, { revisionId });
    const details = await asAlice.getFileDetails(file.dataFileId);
    assert.equal(details.currentRevision.dataFileRevisionId, file.currentRevision.dataFileRevisionId);
    await asAlice.deleteFile(file.dataFileId);
    await rejectsWith(asAlice.getFileDetails(file.dataFileId), 404, 'Not Found');
  });
});

describe('getFilePermissions and updateFilePermissions', () => {
  it("shares with a user, who may then read; the owner's ADMIN entry is always there", async () => {
    const file = await uploaded(asAlice, Buffer.from('shared'), 'shared.txt');
    const before = await asAlice.getFilePermissions(file.dataFileId);
    assert.deepEqual(before, {
      publicAccess: false,
      entries: [{ entityType: 'USER', entityId: String(alice.id), grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' }],
    });
    await rejectsWith(asBob.getFileDetails(file.dataFileId), 404, 'Not Found');
    await asAlice.updateFilePermissions(file.dataFileId, { entries: [...before.entries, { entityType: 'USER', entityId: bob.id, grant: 'READ' }] });
    const after = await asAlice.getFilePermissions(file.dataFileId);
    assert.deepEqual(
      after.entries.map((entry) => [entry.entityId, entry.grant]),
      [
        [String(alice.id), 'READ_WRITE_DELETE_SHARE_ADMIN'],
        [String(bob.id), 'READ'],
      ],
    );
    assert.equal((await asBob.getFileDetails(file.dataFileId)).name, 'shared.txt');
    await rejectsWith(asBob.deleteFile(file.dataFileId), 403, 'Forbidden');
    await rejectsWith(asBob.getFilePermissions(file.dataFileId), 403, 'Forbidden');
    await asAlice.updateFilePermissions(file.dataFileId, { publicAccess: true });
    assert.equal((await asAlice.getFilePermissions(file.dataFileId)).publicAccess, true);
    await rejectsWith(
      asAlice.updateFilePermissions(file.dataFileId, { entries: [{ entityType: 'USER', entityId: bob.id, grant: 'EVERYTHING' as never }] }),
      400,
      'Bad Request',
      /grant/,
    );
  });
});

describe('Multi-part: createSession, uploadPart, getSession, complete, abort', () => {
  it('uploads parts (each checked by its SHA-256, computed for the caller), resumes from getSession, commits', async () => {
    const parts = [randomBytes(70_000), randomBytes(50_000), randomBytes(1234)];
    const { sessionId } = await asAlice.createSession({ name: 'assembled.bin', description: 'three parts', contentType: 'application/x-custom' });
    assert.equal(typeof sessionId, 'string');
    // Out of order, as a parallel client sends them.
    const third = await asAlice.uploadPart(sessionId, 3, parts[2]);
    assert.deepEqual(third, { index: 3, sizeBytes: parts[2].length, sha256: sha256(parts[2]) });
    await asAlice.uploadPart(sessionId, 1, new Blob([parts[0]]), { checksum: sha256(parts[0]).toLowerCase() });
    const session = await asAlice.getSession(sessionId);
    assert.equal(session.state, 'OPEN');
    assert.equal(session.name, 'assembled.bin');
    assert.equal(session.contentType, 'application/x-custom');
    assert.ok(session.expiresAt > Date.now());
    assert.deepEqual(
      session.parts.map((part) => [part.index, part.sizeBytes, part.sha256]),
      [
        [1, parts[0].length, sha256(parts[0])],
        [3, parts[2].length, sha256(parts[2])],
      ],
    );
    await rejectsWith(asAlice.complete(sessionId, { totalParts: 3 }), 400, 'Bad Request', /missing part 2/);
    await asAlice.uploadPart(sessionId, 2, parts[1], { checksum: false });
    const whole = Buffer.concat(parts);
    const committed = await asAlice.complete(sessionId, { totalParts: 3, sha256: sha256(whole) });
    assert.ok(Number.isInteger(committed.dataFileId) && Number.isInteger(committed.revisionId));
    assert.deepEqual(await asAlice.complete(sessionId), committed, 'a retried commit answers the same ids');
    const details = await asAlice.getFileDetails(committed.dataFileId);
    assert.equal(details.currentRevision.sha256HashValue, sha256(whole));
    assert.equal(details.currentRevision.contentType, 'application/x-custom');
    assert.deepEqual(Buffer.from(await (await asAlice.downloadFile(committed.dataFileId)).blob.arrayBuffer()), whole);
    assert.equal((await asAlice.getSession(sessionId)).state, 'COMMITTED');
  });

  it('refuses a part whose checksum does not match (400), and keeps nothing of it', async () => {
    const { sessionId } = await asAlice.createSession({ name: 'x', contentType: 'text/plain' });
    await rejectsWith(asAlice.uploadPart(sessionId, 1, 'hello', { checksum: 'A'.repeat(64) }), 400, 'Bad Request');
    assert.deepEqual((await asAlice.getSession(sessionId)).parts, []);
    await asAlice.abort(sessionId);
  });

  it('createUpdateSession adds a revision to an existing file', async () => {
    const file = await uploaded(asAlice, Buffer.from('v1'), 'grows.txt', 'text/plain');
    const { sessionId } = await asAlice.createUpdateSession(file.dataFileId, { name: 'grows.txt', contentType: 'text/plain' });
    await asAlice.uploadPart(sessionId, 1, 'v2, ');
    await asAlice.uploadPart(sessionId, 2, 'in parts');
    const { dataFileId, revisionId } = await asAlice.complete(sessionId, { totalParts: 2 });
    assert.equal(dataFileId, file.dataFileId);
    const details = await asAlice.getFileDetails(file.dataFileId, { expand: ['revisions'] });
    assert.equal(details.currentRevision.dataFileRevisionId, revisionId);
    assert.equal(details.revisions.length, 2);
    assert.equal(await (await asAlice.downloadFile(file.dataFileId)).blob.text(), 'v2, in parts');
    await rejectsWith(asBob.createUpdateSession(file.dataFileId, { name: 'n', contentType: 'text/plain' }), 404, 'Not Found');
  });

  it('abort removes the parts; later parts and commits are 409; another user sees no session (404)', async () => {
    const { sessionId } = await asAlice.createSession({ name: 'dropped.bin', contentType: 'application/octet-stream' });
    await asAlice.uploadPart(sessionId, 1, randomBytes(1000));
    await rejectsWith(asBob.getSession(sessionId), 404, 'Not Found');
    await asAlice.abort(sessionId);
    const session = await asAlice.getSession(sessionId);
    assert.equal(session.state, 'ABORTED');
    assert.deepEqual(session.parts, []);
    await rejectsWith(asAlice.uploadPart(sessionId, 2, 'late'), 409, 'Conflict');
    await rejectsWith(asAlice.complete(sessionId), 409, 'Conflict');
    await asAlice.abort(sessionId);
  });

  it('checks its arguments before sending', async () => {
    await assert.rejects(asAlice.uploadPart('s', 0, 'x'), RangeError);
    await assert.rejects(asAlice.uploadPart('s', 10_001, 'x'), RangeError);
    await assert.rejects(asAlice.getFileDetails(0), TypeError);
  });
});

describe('uploadLargeFile (small files and options; the large case is in sdk-large-upload.test.ts)', () => {
  it('sends a file no larger than one part through the single upload', async () => {
    const bytes = randomBytes(100_000);
    const progress: number[] = [];
    const result = await asAlice.uploadLargeFile(new File([bytes], 'small.bin'), { onProgress: (p) => progress.push(p.bytesSent) });
    assert.equal(result.method, 'single');
    assert.equal(result.sizeBytes, bytes.length);
    const details = await asAlice.getFileDetails(result.dataFileId);
    assert.equal(details.currentRevision.dataFileRevisionId, result.revisionId);
    assert.equal(details.currentRevision.sha256HashValue, sha256(bytes));
    assert.equal(progress.at(-1), bytes.length);
  });

  it('uses parts when told (singleUploadMaxBytes: 0), for a new revision keeping the name', async () => {
    const file = await uploaded(asAlice, Buffer.from('first'), 'kept-name.bin');
    const bytes = randomBytes(MIN_PART_SIZE + 1000);
    const result = await asAlice.uploadLargeFile(new Blob([bytes]), { dataFileId: file.dataFileId, partSize: MIN_PART_SIZE, singleUploadMaxBytes: 0 });
    assert.equal(result.method, 'multipart');
    assert.equal(result.partsTotal, 2);
    assert.equal(result.dataFileId, file.dataFileId);
    const details = await asAlice.getFileDetails(file.dataFileId);
    assert.equal(details.name, 'kept-name.bin');
    assert.equal(details.currentRevision.dataFileRevisionId, result.revisionId);
    assert.equal(details.currentRevision.sha256HashValue, sha256(bytes));
  });

  it('makes a multipart upload public when asked, and names the whole-file hash at commit', async () => {
    const bytes = randomBytes(MIN_PART_SIZE * 2);
    const result = await asAlice.uploadLargeFile(new File([bytes], 'open.bin', { type: 'application/x-open' }), {
      partSize: MIN_PART_SIZE,
      public: true,
      sha256: sha256(bytes),
    });
    assert.equal(result.method, 'multipart');
    const details = await asBob.getFileDetails(result.dataFileId, { expand: ['metadata'] });
    assert.equal(details.publicAccess, true);
    assert.equal(details.currentRevision.contentType, 'application/x-open');
    await rejectsWith(
      asAlice.uploadLargeFile(new File([bytes], 'wrong.bin'), { partSize: MIN_PART_SIZE, sha256: 'B'.repeat(64) }),
      400,
      'Bad Request',
      /SHA-256/,
    );
  });

  it('rejects a part size outside 5 MiB–5 GiB, and a signal already aborted', async () => {
    await assert.rejects(asAlice.uploadLargeFile(new File(['x'], 'x'), { partSize: 1024 }), RangeError);
    await assert.rejects(asAlice.uploadLargeFile(new File(['x'], 'x'), { concurrency: 0 }), RangeError);
    await assert.rejects(asAlice.uploadLargeFile(new File([randomBytes(MIN_PART_SIZE + 1)], 'x'), { partSize: MIN_PART_SIZE, signal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
  });
});

describe('errors', () => {
  it('a bad token is 401 with the server status, reason, message and toe', async () => {
    const stranger = createClient({ baseUrl: server.url, token: 'not-a-token-at-all-not-a-token' });
    const error = await rejectsWith(stranger.getFileDetailsList(), 401, 'Unauthorized');
    assert.deepEqual(Object.keys(error.toJSON()), ['status', 'statusReason', 'message', 'toe']);
  });

  it('no server at all is status 0, "Network Error"', async () => {
    const nowhere = createClient({ baseUrl: 'http://127.0.0.1:1', token: 't' });
    const error = await rejectsWith(nowhere.getFileDetailsList(), 0, 'Network Error');
    assert.equal(error.isNetworkError, true);
  });

  it("an AbortSignal cancels a call with the signal's reason", async () => {
    await assert.rejects(asAlice.getFileDetailsList({ signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});
