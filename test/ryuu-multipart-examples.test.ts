// Issue #3: "The spec's multipart code examples, verbatim, run through ryuu.js, including the
// ?[checksum=…] URL they build, with hashes and bytes checked after commit; update sessions add a
// revision." The examples are test/spec-examples/multipart.examples.js, byte for byte as the spec
// prints them; the files are read back through the spec's Files API examples.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadRyuu, type Ryuu } from './support/ryuu.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';
import { loadExamples } from './support/specExamples.js';

type Fn = (...args: any[]) => Promise<any>;

let server: TestServer;
let ryuu: Ryuu;
let alice: TestUser;
let bob: TestUser;
let multipart: Record<string, Fn>;
let files: Record<string, Fn>;
let downloads: { data: unknown; filename: unknown }[];

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const md5 = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('hex');
/** An ArrayBuffer holding exactly these bytes, as a browser's File.slice().arrayBuffer() gives. */
const arrayBufferOf = (bytes: Buffer): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;

/** ryuu.js rejects with an Error carrying the status and the server's body. */
async function rejectsWith(promise: Promise<unknown>, status: number): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error.status, status, `expected ${status}, got ${error.status}: ${error.body}`);
    const body = JSON.parse(error.body);
    assert.equal(body.status, status);
    assert.equal(typeof body.statusReason, 'string');
    assert.equal(typeof body.toe, 'string');
    return true;
  });
}

async function downloadedBytes(dataFileId: number): Promise<Buffer> {
  downloads.length = 0;
  await files.downloadFile(dataFileId, 'download.bin');
  const [call] = downloads;
  return Buffer.from(await (call.data as Blob).arrayBuffer());
}

/** Uploads `parts` through the spec's uploadPart, each with its SHA-256 as the checksum. */
async function uploadParts(sessionId: string, parts: (Buffer | string)[], contentType: string): Promise<void> {
  await Promise.all(
    parts.map((part, position) =>
      multipart.uploadPart(sessionId, position + 1, typeof part === 'string' ? part : arrayBufferOf(part), contentType, sha256(part).toUpperCase()),
    ),
  );
}

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
  ryuu = loadRyuu(server.url, alice.token);
  multipart = loadExamples('multipart', ryuu.domo).fns;
  const filesApi = loadExamples('files-api', ryuu.domo);
  files = filesApi.fns;
  downloads = filesApi.downloads;
});
after(async () => {
  ryuu?.restore();
  await server?.cleanup();
});

describe('Multi-part Files API, through ryuu.js with the spec’s own examples', () => {
  it('createSession → uploadPart ×3 (with ?[checksum=…]) → complete makes a file with the whole file’s hashes', async () => {
    const parts = [randomBytes(5 * 1024 * 1024 + 17), randomBytes(3 * 1024 * 1024), randomBytes(1234)];
    const whole = Buffer.concat(parts);
    const { sessionId } = await multipart.createSession('SampleFile', 'Sample Description', 'application/pdf');
    assert.equal(typeof sessionId, 'string');
    assert.ok(sessionId.length >= 20, 'the session id is unguessable');

    ryuu.calls.length = 0;
    await uploadParts(sessionId, parts, 'application/pdf');
    const partCall = ryuu.calls.find((call) => call.url.includes('/part/1'))!;
    assert.equal(partCall.url, `/domo/data-files/v1/multipart/${sessionId}/part/1?[checksum=${sha256(parts[0]).toUpperCase()}]`, 'the URL is the one the example builds');
    assert.equal(partCall.headers['content-type'], 'application/pdf', 'ryuu sends the part with the file’s own type');

    const committed = await multipart.complete(sessionId);
    assert.ok(Number.isInteger(committed.dataFileId) && committed.dataFileId > 0, 'dataFileId is an integer');
    assert.ok(Number.isInteger(committed.revisionId) && committed.revisionId > 0, 'revisionId is an integer');

    const details = await files.getFileDetails(committed.dataFileId);
    assert.equal(details.name, 'SampleFile');
    assert.equal(details.responsibleUserId, alice.id);
    assert.equal(details.currentRevision.dataFileRevisionId, committed.revisionId);
    assert.equal(details.currentRevision.contentType, 'application/pdf');
    assert.equal(details.currentRevision.sizeBytes, whole.length);
    assert.equal(details.currentRevision.sha256HashValue, sha256(whole).toUpperCase());
    assert.equal(details.currentRevision.md5Hash, md5(whole).toUpperCase());
    assert.equal(details.currentRevision.uploadUserId, alice.id);
    assert.deepEqual(await downloadedBytes(committed.dataFileId), whole);
  });

  it('a retried complete answers the same ids', async () => {
    const { sessionId } = await multipart.createSession('again.bin', '', 'application/octet-stream');
    await uploadParts(sessionId, [randomBytes(1000)], 'application/octet-stream');
    const first = await multipart.complete(sessionId);
    assert.deepEqual(await multipart.complete(sessionId), first);
  });

  it('parts given as strings (the spec allows ArrayBuffer | String) are stored as their UTF-8 bytes', async () => {
    const parts = ['name,amount\n', 'café,3\n', 'thé,4\n'];
    const { sessionId } = await multipart.createSession('table.csv', 'strings', 'text/csv');
    await uploadParts(sessionId, parts, 'text/csv');
    const { dataFileId } = await multipart.complete(sessionId);
    assert.equal((await downloadedBytes(dataFileId)).toString('utf8'), parts.join(''));
  });

  it('createUpdateSession → parts → complete adds a revision that becomes current', async () => {
    const first = Buffer.from('version one\n');
    const created = await multipart.createSession('notes.txt', 'v1', 'text/plain');
    await uploadParts(created.sessionId, [first], 'text/plain');
    const { dataFileId, revisionId: firstRevision } = await multipart.complete(created.sessionId);

    const second = [randomBytes(64 * 1024), randomBytes(100)];
    const { sessionId } = await multipart.createUpdateSession(dataFileId, 'notes.txt', 'v2', 'text/plain');
    await uploadParts(sessionId, second, 'text/plain');
    const committed = await multipart.complete(sessionId);
    assert.equal(committed.dataFileId, dataFileId, 'the same file');
    assert.notEqual(committed.revisionId, firstRevision, 'a new revision');

    const details = await files.getFileDetails(dataFileId, ['revisions']);
    assert.equal(details.currentRevision.dataFileRevisionId, committed.revisionId);
    assert.deepEqual(details.revisions.map((revision: any) => revision.dataFileRevisionId), [committed.revisionId, firstRevision], 'newest first');
    assert.equal(details.currentRevision.sha256HashValue, sha256(Buffer.concat(second)).toUpperCase());
    assert.deepEqual(await downloadedBytes(dataFileId), Buffer.concat(second));
  });

  it('abort removes the session: later parts and commits are 409', async () => {
    const { sessionId } = await multipart.createSession('dropped.bin', '', 'application/octet-stream');
    await uploadParts(sessionId, [randomBytes(2048)], 'application/octet-stream');
    assert.equal(await multipart.abort(sessionId), '', 'abort answers 200 with no body');
    await rejectsWith(multipart.uploadPart(sessionId, 2, arrayBufferOf(randomBytes(10)), 'application/octet-stream'), 409);
    await rejectsWith(multipart.complete(sessionId), 409);
  });

  it('a part whose checksum does not match is refused with 400 and not kept', async () => {
    const { sessionId } = await multipart.createSession('checked.bin', '', 'application/octet-stream');
    const part = randomBytes(4096);
    await rejectsWith(multipart.uploadPart(sessionId, 1, arrayBufferOf(part), 'application/octet-stream', sha256('something else')), 400);
    await rejectsWith(multipart.complete(sessionId), 400);
  });

  it('another user’s session is not found (404)', async () => {
    const { sessionId } = await multipart.createSession('private.bin', '', 'application/octet-stream');
    ryuu.setToken(bob.token);
    try {
      await rejectsWith(multipart.uploadPart(sessionId, 1, arrayBufferOf(randomBytes(10)), 'application/octet-stream'), 404);
      await rejectsWith(multipart.complete(sessionId), 404);
      await rejectsWith(multipart.abort(sessionId), 404);
    } finally {
      ryuu.setToken(alice.token);
    }
  });
});
