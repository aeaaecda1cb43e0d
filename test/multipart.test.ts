// Issue #3, "Multipart upload sessions", over HTTP against the real server (spec: "Multi-part Files
// API"; docs/decisions.md 2, 6–8, 22–25): sessions, parts, commit, abort, resume, ownership.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { API, api, assertError, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
  carol = await server.addUser('carol');
});
after(() => server?.cleanup());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').toUpperCase();
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex').toUpperCase();

function postJson(user: TestUser, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return api(server, user.token, path, init);
}

async function newSession(
  user: TestUser,
  body: Record<string, unknown> = { name: 'big.bin', description: 'parts', contentType: 'application/octet-stream' },
): Promise<string> {
  const response = await postJson(user, `${API}/multipart`, body);
  assert.equal(response.status, 200, await response.clone().text());
  const { sessionId } = (await response.json()) as { sessionId: string };
  return sessionId;
}

function putPart(
  user: TestUser,
  sessionId: string,
  index: number | string,
  bytes: Uint8Array,
  query = '',
  contentType = 'application/octet-stream',
): Promise<Response> {
  return api(server, user.token, `${API}/multipart/${sessionId}/part/${index}${query}`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body: bytes as BodyInit,
  });
}

async function putOk(user: TestUser, sessionId: string, index: number, bytes: Uint8Array, query = '', contentType?: string): Promise<void> {
  const response = await putPart(user, sessionId, index, bytes, query, contentType);
  assert.equal(response.status, 200, await response.text());
}

const commit = (user: TestUser, sessionId: string, body?: unknown) => postJson(user, `${API}/multipart/${sessionId}/commit`, body);
const abort = (user: TestUser, sessionId: string) => postJson(user, `${API}/multipart/${sessionId}/abort`);
const getSession = (user: TestUser, sessionId: string) => api(server, user.token, `${API}/multipart/${sessionId}`);

async function committed(user: TestUser, sessionId: string, body?: unknown): Promise<{ dataFileId: number; revisionId: number }> {
  const response = await commit(user, sessionId, body);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { dataFileId: number; revisionId: number };
}

async function details(user: TestUser, dataFileId: number, expand = ''): Promise<any> {
  const response = await api(server, user.token, `${API}/${dataFileId}/details${expand ? `?expand=${expand}` : ''}`);
  assert.equal(response.status, 200);
  return response.json();
}

async function download(user: TestUser, dataFileId: number): Promise<Buffer> {
  const response = await api(server, user.token, `${API}/${dataFileId}`);
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

describe('Creating a session: POST /multipart', () => {
  it('returns {"sessionId"}, an opaque string; unknown keys such as "Cache-Control" are ignored', async () => {
    const sessionId = await newSession(alice, {
      name: 'SampleFile',
      description: 'Sample Description',
      contentType: 'application/pdf',
      'Cache-Control': 'no-cache',
    });
    assert.match(sessionId, /^[A-Za-z0-9_-]{43}$/);
    const session = await (await getSession(alice, sessionId)).json();
    assert.equal(session.state, 'OPEN');
    assert.equal(session.name, 'SampleFile');
    assert.equal(session.description, 'Sample Description');
    assert.equal(session.contentType, 'application/pdf');
    assert.equal(session.dataFileId, null);
    assert.deepEqual(session.parts, []);
    assert.ok(Math.abs(session.expiresAt - session.createdAt - 7 * 24 * 3600 * 1000) < 1000, 'expires after the default TTL of 7 days');
  });

  it('a missing name or contentType, or an invalid MIME type, is 400', async () => {
    await assertError(await postJson(alice, `${API}/multipart`, { contentType: 'text/plain' }), 400, /name/);
    await assertError(await postJson(alice, `${API}/multipart`, { name: '', contentType: 'text/plain' }), 400, /name/);
    await assertError(await postJson(alice, `${API}/multipart`, { name: 'a' }), 400, /contentType/);
    await assertError(await postJson(alice, `${API}/multipart`, { name: 'a', contentType: 'pdf' }), 400, /contentType/);
    await assertError(await postJson(alice, `${API}/multipart`, { name: 'a', contentType: 'text/plain', description: 'x'.repeat(4097) }), 400, /description/);
    await assertError(await postJson(alice, `${API}/multipart`), 400, /name/);
    await assertError(
      await api(server, alice.token, `${API}/multipart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' }),
      400,
    );
  });

  it('needs a token', async () => {
    await assertError(await api(server, undefined, `${API}/multipart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 401);
  });

  it("answers under Domo's Product API path too", async () => {
    const response = await api(server, alice.token, '/api/data/v1/data-files/multipart', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'p', contentType: 'text/plain' }),
    });
    assert.equal(response.status, 200);
    const { sessionId } = (await response.json()) as { sessionId: string };
    assert.equal((await api(server, alice.token, `/api/data/v1/data-files/multipart/${sessionId}`)).status, 200);
  });
});

describe('Uploading parts and completing: PUT …/part/{index}, POST …/commit', () => {
  it('parts sent out of order and in parallel make one file: bytes, MD5, SHA-256, size, type and upload time', async () => {
    const sessionId = await newSession(alice, { name: 'report.pdf', description: 'Q3', contentType: 'application/pdf' });
    const parts = [randomBytes(2 * 1024 * 1024 + 3), randomBytes(1024 * 1024), randomBytes(777), randomBytes(1024 * 1024 + 1)];
    await Promise.all([3, 1, 4, 2].map((index) => putOk(alice, sessionId, index, parts[index - 1])));
    const whole = Buffer.concat(parts);
    const { dataFileId, revisionId } = await committed(alice, sessionId, { sessionId });
    assert.ok(Number.isInteger(dataFileId) && Number.isInteger(revisionId), 'integers (docs/decisions.md 2)');
    const file = await details(alice, dataFileId, 'metadata');
    assert.equal(file.name, 'report.pdf');
    assert.equal(file.description, 'Q3');
    assert.equal(file.responsibleUserId, alice.id);
    assert.equal(file.currentRevision.dataFileRevisionId, revisionId);
    assert.equal(file.currentRevision.contentType, 'application/pdf');
    assert.equal(file.currentRevision.sizeBytes, whole.length);
    assert.equal(file.currentRevision.md5Hash, md5(whole));
    assert.equal(file.currentRevision.sha256HashValue, sha256(whole));
    assert.equal(file.currentRevision.uploadUserId, alice.id);
    assert.ok(Number.isInteger(file.currentRevision.uploadTimeMillis) && file.currentRevision.uploadTimeMillis >= 0);
    assert.ok(Number.isInteger(file.currentRevision.datetimeUploaded));
    assert.ok((await download(alice, dataFileId)).equals(whole));
    const session = await (await getSession(alice, sessionId)).json();
    assert.equal(session.state, 'COMMITTED');
    assert.equal(session.dataFileId, dataFileId);
    assert.equal(session.revisionId, revisionId);
  });

  it('a part answers with its index, size and SHA-256, and shows in the session for resuming', async () => {
    const sessionId = await newSession(alice);
    const bytes = randomBytes(5000);
    const response = await putPart(alice, sessionId, 2, bytes);
    assert.deepEqual(await response.json(), { index: 2, sizeBytes: 5000, sha256: sha256(bytes) });
    const session = await (await getSession(alice, sessionId)).json();
    assert.deepEqual(session.parts, [{ index: 2, sizeBytes: 5000, sha256: sha256(bytes) }]);
  });

  it('the body is raw bytes whatever its Content-Type (JSON, a form, none)', async () => {
    const sessionId = await newSession(alice);
    const notJson = Buffer.from('{"this is": not json');
    const formLooking = Buffer.from('--boundary\r\ncontent-disposition: form-data; name="file"\r\n\r\nx\r\n--boundary--\r\n');
    await putOk(alice, sessionId, 1, notJson, '', 'application/json');
    assert.equal((await putPart(alice, sessionId, 2, formLooking, '', 'multipart/form-data; boundary=boundary')).status, 200);
    const bare = await api(server, alice.token, `${API}/multipart/${sessionId}/part/3`, { method: 'PUT', body: Buffer.from('no type') });
    assert.equal(bare.status, 200);
    const { dataFileId } = await committed(alice, sessionId);
    assert.ok((await download(alice, dataFileId)).equals(Buffer.concat([notJson, formLooking, Buffer.from('no type')])));
  });

  it("the checksum is checked in every form: ?checksum=, the spec's ?[checksum=], and %5Bchecksum=%5D, any case", async () => {
    const sessionId = await newSession(alice);
    const parts = [randomBytes(1000), randomBytes(1000), randomBytes(1000), randomBytes(1000)];
    await putOk(alice, sessionId, 1, parts[0], `?checksum=${sha256(parts[0])}`);
    await putOk(alice, sessionId, 2, parts[1], `?[checksum=${sha256(parts[1]).toLowerCase()}]`);
    await putOk(alice, sessionId, 3, parts[2], `?%5Bchecksum=${sha256(parts[2])}%5D`);
    await putOk(alice, sessionId, 4, parts[3], `?ignored=1&[checksum=${sha256(parts[3])}]`);
    const { dataFileId } = await committed(alice, sessionId);
    assert.equal((await details(alice, dataFileId)).currentRevision.sha256HashValue, sha256(Buffer.concat(parts)));
  });

  it('a wrong checksum is 400 and the part is not kept (a replaced part keeps its old bytes)', async () => {
    const sessionId = await newSession(alice);
    const kept = randomBytes(4000);
    await putOk(alice, sessionId, 1, kept);
    const other = randomBytes(4000);
    await assertError(await putPart(alice, sessionId, 1, other, `?[checksum=${sha256(kept)}]`), 400, /SHA-256/);
    await assertError(await putPart(alice, sessionId, 2, other, `?checksum=${'0'.repeat(64)}`), 400, /SHA-256/);
    await assertError(await putPart(alice, sessionId, 2, other, '?checksum=12345'), 400, /checksum/);
    const session = await (await getSession(alice, sessionId)).json();
    assert.deepEqual(session.parts, [{ index: 1, sizeBytes: 4000, sha256: sha256(kept) }]);
    const { dataFileId } = await committed(alice, sessionId);
    assert.ok((await download(alice, dataFileId)).equals(kept));
  });

  it('re-uploading an index replaces that part', async () => {
    const sessionId = await newSession(alice);
    const first = randomBytes(3000);
    const second = randomBytes(10);
    const replacement = randomBytes(2500);
    await putOk(alice, sessionId, 1, first);
    await putOk(alice, sessionId, 2, second);
    await putOk(alice, sessionId, 1, replacement);
    const { dataFileId } = await committed(alice, sessionId);
    const whole = Buffer.concat([replacement, second]);
    assert.ok((await download(alice, dataFileId)).equals(whole));
    assert.equal((await details(alice, dataFileId)).currentRevision.sha256HashValue, sha256(whole));
  });

  it('part index 0, 10001 and non-numeric indexes are 400; 1 and 10000 are fine', async () => {
    const sessionId = await newSession(alice);
    for (const index of ['0', '10001', 'abc', '1.5', '-1', '%20']) await assertError(await putPart(alice, sessionId, index, Buffer.from('x')), 400, /index/);
    await putOk(alice, sessionId, 10_000, Buffer.from('last'));
    await putOk(alice, sessionId, 1, Buffer.from('first'));
  });

  it('a gap is 400 naming the missing indexes; once sent, the commit succeeds', async () => {
    const sessionId = await newSession(alice);
    for (const index of [1, 2, 5, 7]) await putOk(alice, sessionId, index, Buffer.from(`part ${index} `));
    const body = await assertError(await commit(alice, sessionId), 400, /3, 4, 6/);
    assert.deepEqual(body.missingParts, [3, 4, 6]);
    for (const index of [3, 4, 6]) await putOk(alice, sessionId, index, Buffer.from(`part ${index} `));
    const { dataFileId } = await committed(alice, sessionId);
    assert.equal((await download(alice, dataFileId)).toString(), [1, 2, 3, 4, 5, 6, 7].map((index) => `part ${index} `).join(''));
  });

  it('committing a session without parts is 400', async () => {
    const sessionId = await newSession(alice);
    await assertError(await commit(alice, sessionId), 400, /no parts/);
  });

  it('totalParts and sha256 in the commit body are checked when present', async () => {
    const sessionId = await newSession(alice);
    const parts = [randomBytes(100), randomBytes(100)];
    await putOk(alice, sessionId, 1, parts[0]);
    await putOk(alice, sessionId, 2, parts[1]);
    assert.deepEqual((await assertError(await commit(alice, sessionId, { totalParts: 3 }), 400)).missingParts, [3]);
    await assertError(await commit(alice, sessionId, { totalParts: 1 }), 400, /totalParts/);
    await assertError(await commit(alice, sessionId, { sha256: sha256(parts[0]) }), 400, /SHA-256/);
    const result = await committed(alice, sessionId, { sessionId, totalParts: 2, sha256: sha256(Buffer.concat(parts)) });
    assert.ok(result.dataFileId > 0);
  });

  it('a retried commit returns the same answer', async () => {
    const sessionId = await newSession(alice);
    await putOk(alice, sessionId, 1, randomBytes(100));
    const first = await committed(alice, sessionId);
    assert.deepEqual(await committed(alice, sessionId), first);
    assert.deepEqual(await committed(alice, sessionId, { sessionId }), first);
  });

  it('concurrent commits yield one file with one revision, and the same answer', async () => {
    const sessionId = await newSession(alice);
    await Promise.all([1, 2, 3].map((index) => putOk(alice, sessionId, index, randomBytes(512 * 1024))));
    const answers = await Promise.all(Array.from({ length: 6 }, () => committed(alice, sessionId)));
    for (const answer of answers) assert.deepEqual(answer, answers[0]);
    const file = await details(alice, answers[0].dataFileId, 'revisions');
    assert.equal(file.revisions.length, 1);
  });
});

describe('Update sessions: POST /{fileId}/multipart', () => {
  let dataFileId: number;

  before(async () => {
    const response = await api(server, alice.token, `${API}?name=shared.txt&description=v1`, {
      method: 'POST',
      body: fileForm('version 1', 'shared.txt', 'text/plain'),
    });
    assert.equal(response.status, 200);
    ({ dataFileId } = (await response.json()) as { dataFileId: number });
    const permissions = {
      publicAccess: false,
      entries: [
        { entityType: 'USER', entityId: String(alice.id), grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' },
        { entityType: 'USER', entityId: String(bob.id), grant: 'READ', pass: 'NONE' },
        { entityType: 'USER', entityId: String(carol.id), grant: 'READ_WRITE', pass: 'NONE' },
      ],
    };
    const shared = await api(server, alice.token, `${API}/${dataFileId}/permissions`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(permissions),
    });
    assert.equal(shared.status, 200, await shared.text());
  });

  const body = { fileId: 0, name: 'shared.txt', description: 'v2', contentType: 'text/plain', 'Cache-Control': 'no-cache' };

  it('needs READ_WRITE: READ is 403, no grant or no file is 404, a bad id 400', async () => {
    await assertError(await postJson(bob, `${API}/${dataFileId}/multipart`, body), 403);
    const stranger = await server.addUser('dave');
    await assertError(await postJson(stranger, `${API}/${dataFileId}/multipart`, body), 404);
    await assertError(await postJson(alice, `${API}/999999/multipart`, body), 404);
    await assertError(await postJson(alice, `${API}/abc/multipart`, body), 400);
    await assertError(await postJson(carol, `${API}/${dataFileId}/multipart`, { contentType: 'text/plain' }), 400, /name/);
  });

  it('its commit adds a revision to the file (made current), by a READ_WRITE user', async () => {
    const response = await postJson(carol, `${API}/${dataFileId}/multipart`, { ...body, fileId: dataFileId });
    assert.equal(response.status, 200);
    const { sessionId } = (await response.json()) as { sessionId: string };
    assert.equal((await (await getSession(carol, sessionId)).json()).dataFileId, dataFileId);
    const parts = [Buffer.from('version 2, '), Buffer.from('in two parts')];
    await putOk(carol, sessionId, 2, parts[1]);
    await putOk(carol, sessionId, 1, parts[0]);
    const result = await committed(carol, sessionId);
    assert.equal(result.dataFileId, dataFileId);
    const file = await details(alice, dataFileId, 'revisions');
    assert.equal(file.currentRevision.dataFileRevisionId, result.revisionId);
    assert.equal(file.currentRevision.uploadUserId, carol.id);
    assert.equal(file.currentRevision.sha256HashValue, sha256(Buffer.concat(parts)));
    assert.equal(file.revisions.length, 2);
    assert.equal(file.responsibleUserId, alice.id, 'the owner does not change');
    assert.equal((await download(bob, dataFileId)).toString(), 'version 2, in two parts');
  });
});

describe('Abort: POST …/abort', () => {
  it("answers 200 to ryuu.js's JSON Content-Type with no body; later parts and commits are 409", async () => {
    const sessionId = await newSession(alice);
    await putOk(alice, sessionId, 1, randomBytes(1000));
    const response = await abort(alice, sessionId);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '{}', 'docs/decisions.md 78: {} for older clients');
    await assertError(await putPart(alice, sessionId, 2, Buffer.from('late')), 409, /aborted/);
    await assertError(await commit(alice, sessionId), 409, /aborted/);
    const session = await (await getSession(alice, sessionId)).json();
    assert.equal(session.state, 'ABORTED');
    assert.deepEqual(session.parts, []);
    assert.equal((await abort(alice, sessionId)).status, 200, 'aborting again is harmless');
  });

  it('a committed session cannot be aborted or take parts', async () => {
    const sessionId = await newSession(alice);
    await putOk(alice, sessionId, 1, randomBytes(10));
    await committed(alice, sessionId);
    await assertError(await abort(alice, sessionId), 409);
    await assertError(await putPart(alice, sessionId, 2, Buffer.from('late')), 409, /committed/);
  });
});

describe('A session belongs to its creator', () => {
  it("another user's session is 404 for parts, commit, abort and resume; so is an unknown id", async () => {
    const sessionId = await newSession(alice);
    await putOk(alice, sessionId, 1, randomBytes(10));
    for (const id of [sessionId, 'x'.repeat(43), 'nope']) {
      await assertError(await putPart(bob, id, 1, Buffer.from('mine now')), 404);
      await assertError(await commit(bob, id), 404);
      await assertError(await abort(bob, id), 404);
      await assertError(await getSession(bob, id), 404);
    }
    const session = await (await getSession(alice, sessionId)).json();
    assert.equal(session.state, 'OPEN');
    assert.equal(session.parts.length, 1);
  });
});
