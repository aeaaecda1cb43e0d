// Issue 12 item 10: per-user storage quotas (all revisions, plus the parts staged in open multipart
// sessions) and the free-space guard, through the real server. A known size over the quota is 413
// before any byte is stored (the request's body is never sent, and the answer still comes); an
// unknown size (chunked) is cut off as it crosses the quota and leaves nothing behind; uploads
// racing the quota overshoot by at most what they had in flight.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testBackend } from './support/backend.js';
import { multipartBody, rawExchange, requestHead } from './support/rawHttp.js';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

const ACCESS = '/datafiles/v1';
const QUOTA = 100_000;
let server: TestServer;
let alice: TestUser;

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

async function usage(): Promise<{ bytes: number; stagedBytes: number; files: number }> {
  return (await (await api(server, alice.token, `${ACCESS}/me`)).json()).usage;
}

/**
 * A multipart upload with no Content-Length (Transfer-Encoding: chunked): an unknown size. Over a
 * socket of its own (rawHttp.ts), so that a refusal that closes the connection mid-body cannot
 * disturb another request sharing it.
 */
async function chunkedUpload(bytes: number): Promise<{ status: number; text: string }> {
  const { boundary, body } = multipartBody({ content: Buffer.alloc(bytes, 7) });
  const head = requestHead('POST', `${API}?name=chunked.bin`, {
    'X-DOMO-Ryuu-Session': alice.token,
    'Content-Type': `multipart/form-data; boundary=${boundary}`,
    'Transfer-Encoding': 'chunked',
  });
  const chunks: Array<string | Buffer> = [head];
  for (let offset = 0; offset < body.length; offset += 16_384) {
    const piece = body.subarray(offset, offset + 16_384);
    chunks.push(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
  }
  chunks.push('0\r\n\r\n');
  const outcome = await rawExchange(server.url, chunks, { then: 'keep', timeoutMs: 20_000 });
  assert.ok(outcome.response, `no answer: ${outcome.received.toString().slice(0, 200)}`);
  return { status: outcome.response.status, text: outcome.response.body.toString() };
}

/** Every file under the data directory's blob store (embedded only: S3 is checked through usage). */
async function storedFiles(): Promise<string[]> {
  const entries = await readdir(path.join(server.dataDir, 'files'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  const set = await api(server, server.adminToken, `${ACCESS}/admin/users/alice/quota`, json('PUT', { quotaBytes: QUOTA }));
  assert.equal(set.status, 200, await set.clone().text());
  assert.deepEqual((await set.json()).effectiveQuotaBytes, QUOTA);
});
after(() => server?.cleanup());

describe('per-user storage quota', () => {
  it('a known size over the quota is 413 before any byte is sent, naming the quota and the usage', async () => {
    const head = requestHead('POST', `${API}?name=big.bin`, {
      'X-DOMO-Ryuu-Session': alice.token,
      'Content-Type': 'multipart/form-data; boundary=x',
      'Content-Length': QUOTA + 1,
    });
    // Only the head: the server must answer without waiting for a body that never comes.
    const outcome = await rawExchange(server.url, [head], { then: 'keep', timeoutMs: 10_000 });
    assert.equal(outcome.response?.status, 413, outcome.received.toString());
    const error = JSON.parse(outcome.response!.body.toString());
    assert.match(error.message, new RegExp(`quota of ${QUOTA} bytes: you use 0 bytes`));
    assert.deepEqual({ quotaBytes: error.quotaBytes, usedBytes: error.usedBytes }, { quotaBytes: QUOTA, usedBytes: 0 });
    assert.equal((await usage()).files, 0);
  });

  it('within the quota uploads work, and me shows the usage and the quota', async () => {
    const upload = await api(server, alice.token, `${API}?name=ok.bin`, { method: 'POST', body: fileForm(Buffer.alloc(60_000, 1)) });
    assert.equal(upload.status, 200);
    const me = await (await api(server, alice.token, `${ACCESS}/me`)).json();
    assert.deepEqual(me.usage, { files: 1, revisions: 1, bytes: 60_000, stagedBytes: 0, quotaBytes: QUOTA });
  });

  it('an unknown size is cut off as it crosses the quota, leaving nothing behind', async () => {
    const before = testBackend() === 'embedded' ? await storedFiles() : [];
    const { status, text } = await chunkedUpload(80_000);
    assert.equal(status, 413, text);
    assert.match(JSON.parse(text).message, /storage quota of 100000 bytes: you use 60000 bytes/);
    assert.deepEqual(await usage(), { files: 1, revisions: 1, bytes: 60_000, stagedBytes: 0, quotaBytes: QUOTA });
    if (testBackend() === 'embedded') assert.deepEqual(await storedFiles(), before, 'no blob and no temporary file left');
  });

  it('a part over what is left is 413 before its bytes are read; parts count against the quota', async () => {
    const session = await (
      await api(server, alice.token, `${API}/multipart`, json('POST', { name: 'parts.bin', contentType: 'application/octet-stream' }))
    ).json();
    const first = await api(server, alice.token, `${API}/multipart/${session.sessionId}/part/1`, { method: 'PUT', body: Buffer.alloc(30_000, 2) });
    assert.equal(first.status, 200, await first.clone().text());
    assert.equal((await usage()).stagedBytes, 30_000);
    const head = requestHead('PUT', `${API}/multipart/${session.sessionId}/part/2`, { 'X-DOMO-Ryuu-Session': alice.token, 'Content-Length': 20_000 });
    const outcome = await rawExchange(server.url, [head], { then: 'keep', timeoutMs: 10_000 });
    assert.equal(outcome.response?.status, 413, outcome.received.toString());
    assert.match(JSON.parse(outcome.response!.body.toString()).message, /you use 90000 bytes \(60000 stored, 30000 in open multipart sessions\)/);
    const abort = await api(server, alice.token, `${API}/multipart/${session.sessionId}/abort`, { method: 'POST' });
    assert.equal(abort.status, 200);
    assert.equal((await usage()).stagedBytes, 0);
  });

  it('uploads racing the quota overshoot by at most what they had in flight', async () => {
    const start = (await usage()).bytes;
    const each = 30_000;
    const racing = 4;
    const answers = await Promise.all(Array.from({ length: racing }, () => chunkedUpload(each)));
    const statuses = answers.map((answer) => answer.status);
    assert.ok(
      statuses.every((status) => status === 200 || status === 413),
      String(statuses),
    );
    const after = await usage();
    assert.equal(after.bytes, start + statuses.filter((status) => status === 200).length * each);
    assert.ok(after.bytes <= QUOTA + racing * each, `usage ${after.bytes} is past the quota by more than was in flight`);
    // Once over (or at) the quota, nothing more goes in.
    if (after.bytes >= QUOTA) assert.equal((await api(server, alice.token, `${API}?name=more.bin`, { method: 'POST', body: fileForm('x') })).status, 413);
  });

  it('admins set and read quotas over HTTP and with the CLI; null is the instance default', async () => {
    const [shown] = [await server.cli(['users', 'quota', 'alice'])];
    assert.equal(shown.quotaBytes, QUOTA);
    const cleared = await server.cli(['users', 'quota', 'alice', '--set', 'default']);
    assert.equal(cleared.quotaBytes, null);
    const read = await (await api(server, server.adminToken, `${ACCESS}/admin/users/alice/quota`)).json();
    assert.deepEqual({ quotaBytes: read.quotaBytes, effective: read.effectiveQuotaBytes }, { quotaBytes: null, effective: null });
    assert.equal((await api(server, alice.token, `${API}?name=free.bin`, { method: 'POST', body: fileForm(Buffer.alloc(50_000)) })).status, 200);
    assert.equal((await api(server, alice.token, `${ACCESS}/admin/users/alice/quota`, json('PUT', { quotaBytes: 1 }))).status, 403, 'not for users');
  });
});

if (testBackend() === 'embedded') {
  describe('free-space guard (local disk)', () => {
    let guarded: TestServer;
    before(async () => {
      // A reserve larger than any disk: every upload would leave less free.
      guarded = await startTestServer({ args: ['--min-free-bytes', String(2 ** 52)] });
    });
    after(() => guarded?.cleanup());

    it('uploads are refused with 507 when the disk would keep less than --min-free-bytes', async () => {
      const user = await guarded.addUser('bob');
      const response = await api(guarded, user.token, `${API}?name=a.bin`, { method: 'POST', body: fileForm('hello') });
      assert.equal(response.status, 507);
      assert.match((await response.json()).message, /--min-free-bytes/);
    });
  });
}
