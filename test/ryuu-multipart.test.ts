// Issue #3 through Domo's own client: the spec's "Multi-part Files API" code examples, verbatim
// (test/spec-examples/multipart.examples.js), run by ryuu.js against the real server. The parts
// go up with the spec's literal `?[checksum=…]` url; bytes and hashes are checked after commit.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertDomoError, startRyuuFilesWorld, type RyuuFilesWorld } from './support/ryuuFiles.js';
import { API, api, type TestUser } from './support/server.js';
import { loadExamples } from './support/specExamples.js';

/** The spec's multipart functions, as they are called. */
interface MultipartExamples {
  createSession(name: string, description: string | undefined, contentType: string): Promise<{ sessionId: string }>;
  createUpdateSession(fileId: number, name: string, description: string | undefined, contentType: string): Promise<{ sessionId: string }>;
  uploadPart(sessionId: string, index: number, part: ArrayBuffer | string, contentType: string, checkSum?: string): Promise<unknown>;
  complete(sessionId: string): Promise<{ dataFileId: number; revisionId: number }>;
  abort(sessionId: string): Promise<unknown>;
}

let world: RyuuFilesWorld;
let multipart: MultipartExamples;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  world = await startRyuuFilesWorld(['alice', 'bob']);
  ({ alice, bob } = world.users);
  multipart = loadExamples('multipart', world.ryuu.domo).fns as unknown as MultipartExamples;
});
after(() => world?.cleanup());

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const md5 = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('hex');

/** An ArrayBuffer holding exactly these bytes, as a browser's File.slice().arrayBuffer() gives. */
const arrayBufferOf = (bytes: Buffer): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

function split(bytes: Buffer, partBytes: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += partBytes) parts.push(bytes.subarray(offset, offset + partBytes));
  return parts;
}

async function downloaded(user: TestUser, dataFileId: number): Promise<Buffer> {
  const response = await api(world.server, user.token, `${API}/${dataFileId}`);
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

/** The whole upload as an app does it: session, every part with its checksum, complete. */
async function uploadInParts(input: { name: string; description?: string; contentType: string; bytes: Buffer; partBytes: number; parallel?: boolean }) {
  const { sessionId } = await multipart.createSession(input.name, input.description, input.contentType);
  const parts = split(input.bytes, input.partBytes);
  const send = (part: Buffer, position: number) => multipart.uploadPart(sessionId, position + 1, arrayBufferOf(part), input.contentType, sha256(part));
  if (input.parallel) await Promise.all(parts.map(send).reverse());
  else for (const [position, part] of parts.entries()) await send(part, position);
  return { sessionId, parts, result: await multipart.complete(sessionId) };
}

describe("The spec's multipart examples, through ryuu.js", () => {
  it('createSession → uploadPart with ?[checksum=…] → complete makes a file with the right bytes and hashes', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 12_345);
    world.ryuu.calls.length = 0;
    const { sessionId, parts, result } = await uploadInParts({
      name: 'SampleFile',
      description: 'Sample Description',
      contentType: 'application/pdf',
      bytes,
      partBytes: 1024 * 1024,
    });
    assert.deepEqual(Object.keys(result).sort(), ['dataFileId', 'revisionId']);
    assert.ok(Number.isInteger(result.dataFileId) && Number.isInteger(result.revisionId), 'integers (docs/decisions.md 2)');

    // What Domo would have received.
    const [create, ...rest] = world.ryuu.calls;
    assert.equal(create.method, 'POST');
    assert.equal(create.url, '/domo/data-files/v1/multipart');
    assert.deepEqual(JSON.parse(create.body as string), {
      name: 'SampleFile',
      description: 'Sample Description',
      contentType: 'application/pdf',
      'Cache-Control': 'no-cache',
    });
    const partCalls = rest.slice(0, parts.length);
    parts.forEach((part, position) => {
      assert.equal(partCalls[position].method, 'PUT');
      assert.equal(
        partCalls[position].url,
        `/domo/data-files/v1/multipart/${sessionId}/part/${position + 1}?[checksum=${sha256(part)}]`,
        "the spec's literal checksum query",
      );
      assert.equal(partCalls[position].headers['content-type'], 'application/pdf', "the part goes up with the file's type");
      assert.equal(partCalls[position].headers['x-domo-ryuu-session'], alice.token);
    });
    const commitCall = rest[parts.length];
    assert.equal(commitCall.url, `/domo/data-files/v1/multipart/${sessionId}/commit`);
    assert.deepEqual(JSON.parse(commitCall.body as string), { sessionId });

    const file = await world.api.getFileDetails(result.dataFileId);
    assert.equal(file.name, 'SampleFile');
    assert.equal(file.responsibleUserId, alice.id);
    assert.equal(file.currentRevision.dataFileRevisionId, result.revisionId);
    assert.equal(file.currentRevision.contentType, 'application/pdf');
    assert.equal(file.currentRevision.sizeBytes, bytes.length);
    assert.equal(file.currentRevision.sha256HashValue, sha256(bytes).toUpperCase());
    assert.equal(file.currentRevision.md5Hash, md5(bytes).toUpperCase());
    assert.ok((await downloaded(alice, result.dataFileId)).equals(bytes));
  });

  it('parts sent in parallel, last first, are assembled in index order', async () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 1);
    const { result } = await uploadInParts({ name: 'parallel.bin', contentType: 'application/octet-stream', bytes, partBytes: 300 * 1024, parallel: true });
    assert.ok((await downloaded(alice, result.dataFileId)).equals(bytes));
    assert.equal((await world.api.getFileDetails(result.dataFileId)).currentRevision.sha256HashValue, sha256(bytes).toUpperCase());
  });

  it('a part may be a String, and the checksum may be left out (no query at all)', async () => {
    const { sessionId } = await multipart.createSession('notes.txt', undefined, 'text/plain');
    world.ryuu.calls.length = 0;
    await multipart.uploadPart(sessionId, 1, 'first line\n', 'text/plain');
    await multipart.uploadPart(sessionId, 2, 'second line\n', 'text/plain', sha256('second line\n'));
    assert.equal(world.ryuu.calls[0].url, `/domo/data-files/v1/multipart/${sessionId}/part/1`);
    const { dataFileId } = await multipart.complete(sessionId);
    assert.equal((await downloaded(alice, dataFileId)).toString(), 'first line\nsecond line\n');
    const file = await world.api.getFileDetails(dataFileId, ['metadata']);
    assert.equal(file.currentRevision.contentType, 'text/plain');
    assert.equal(file.description, '');
  });

  it('a part whose checksum does not match is refused (400) and not kept', async () => {
    const { sessionId } = await multipart.createSession('checked.bin', 'd', 'application/octet-stream');
    const part = randomBytes(1000);
    await assertDomoError(multipart.uploadPart(sessionId, 1, arrayBufferOf(part), 'application/octet-stream', sha256(randomBytes(10))), 400, 'Bad Request');
    await assertDomoError(multipart.complete(sessionId), 400, 'Bad Request');
    await multipart.uploadPart(sessionId, 1, arrayBufferOf(part), 'application/octet-stream', sha256(part));
    const { dataFileId } = await multipart.complete(sessionId);
    assert.ok((await downloaded(alice, dataFileId)).equals(part));
  });

  it('createUpdateSession → parts → complete adds a revision to the file', async () => {
    const first = await uploadInParts({ name: 'evolving.csv', contentType: 'text/csv', bytes: Buffer.from('a,b\n1,2\n'), partBytes: 4 });
    const { dataFileId } = first.result;
    const next = Buffer.from('a,b\n1,2\n3,4\n5,6\n');
    const { sessionId } = await multipart.createUpdateSession(dataFileId, 'evolving.csv', 'more rows', 'text/csv');
    for (const [position, part] of split(next, 5).entries()) await multipart.uploadPart(sessionId, position + 1, arrayBufferOf(part), 'text/csv', sha256(part));
    const result = await multipart.complete(sessionId);
    assert.equal(result.dataFileId, dataFileId);
    assert.notEqual(result.revisionId, first.result.revisionId);
    const file = await world.api.getFileDetails(dataFileId, ['revisions']);
    assert.equal(file.currentRevision.dataFileRevisionId, result.revisionId);
    assert.equal(file.currentRevision.sha256HashValue, sha256(next).toUpperCase());
    assert.deepEqual(
      file.revisions.map((revision) => revision.dataFileRevisionId),
      [result.revisionId, first.result.revisionId],
    );
    assert.ok((await downloaded(alice, dataFileId)).equals(next));
  });

  it('abort (a POST with no body) removes the session: later parts and commits are 409', async () => {
    const { sessionId } = await multipart.createSession('abandoned.bin', 'd', 'application/octet-stream');
    await multipart.uploadPart(sessionId, 1, arrayBufferOf(randomBytes(100)), 'application/octet-stream');
    world.ryuu.calls.length = 0;
    assert.deepEqual(await multipart.abort(sessionId), {}, 'HTTP/1.1 200 OK, with {} (docs/decisions.md 78)');
    assert.equal(world.ryuu.calls[0].headers['content-type'], 'application/json');
    assert.equal(world.ryuu.calls[0].body, undefined);
    await assertDomoError(multipart.uploadPart(sessionId, 2, arrayBufferOf(randomBytes(100)), 'application/octet-stream'), 409, 'Conflict');
    await assertDomoError(multipart.complete(sessionId), 409, 'Conflict');
  });

  it("another user's session is 404", async () => {
    const { sessionId } = await multipart.createSession('private.bin', 'd', 'application/octet-stream');
    await world.as(bob, async () => {
      await assertDomoError(multipart.uploadPart(sessionId, 1, arrayBufferOf(randomBytes(10)), 'application/octet-stream'), 404, 'Not Found');
      await assertDomoError(multipart.complete(sessionId), 404, 'Not Found');
      await assertDomoError(multipart.abort(sessionId), 404, 'Not Found');
    });
  });

  it('a missing name or contentType is 400', async () => {
    await assertDomoError(multipart.createSession(undefined as unknown as string, 'd', 'text/plain'), 400, 'Bad Request');
    await assertDomoError(multipart.createSession('x', 'd', undefined as unknown as string), 400, 'Bad Request');
    await assertDomoError(multipart.createSession('x', 'd', 'not a mime type'), 400, 'Bad Request');
  });
});
