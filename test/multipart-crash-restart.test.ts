// Issue #3: "A crash test: start the server, upload some parts, kill it with SIGKILL, start it
// again on the same data dir, upload the rest, commit, and verify the SHA-256 of the downloaded
// file; no orphaned part files remain after abort, expiry or commit."
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API, api, startTestServer, type TestServer, type TestUser } from './support/server.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').toUpperCase();

/** Every file (not directory) below <dataDir>/files/<area>. */
async function filesIn(server: TestServer, area: 'uploads' | 'tmp'): Promise<string[]> {
  try {
    const entries = await readdir(path.join(server.dataDir, 'files', area), { withFileTypes: true, recursive: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function json(response: Response, status = 200): Promise<any> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  return text ? JSON.parse(text) : undefined;
}

const createSession = (server: TestServer, user: TestUser, name: string) =>
  api(server, user.token, `${API}/multipart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, contentType: 'application/octet-stream' }) }).then((response) => json(response));

const putPart = (server: TestServer, user: TestUser, sessionId: string, index: number, bytes: Buffer) =>
  api(server, user.token, `${API}/multipart/${sessionId}/part/${index}?checksum=${sha256(bytes)}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) }).then((response) => json(response));

const post = (server: TestServer, user: TestUser, pathname: string, status = 200) => api(server, user.token, pathname, { method: 'POST' }).then((response) => json(response, status));

describe('a multipart upload survives a server crash', () => {
  let first: TestServer;
  let second: TestServer | undefined;
  let alice: TestUser;

  before(async () => {
    first = await startTestServer({ env: { DATAFILES_LOG_LEVEL: 'warn' } });
    alice = await first.addUser('alice');
  });
  after(async () => {
    await second?.stop();
    // The first server owns the data directory and the backend; its cleanup removes them.
    await first?.cleanup();
  });

  it('parts sent before SIGKILL are kept; the rest after a restart complete the file exactly', async () => {
    const parts = [randomBytes(6 * MiB), randomBytes(6 * MiB), randomBytes(6 * MiB), randomBytes(777)];
    const whole = Buffer.concat(parts);
    const { sessionId } = await createSession(first, alice, 'survivor.bin');
    const dropped = (await createSession(first, alice, 'dropped.bin')).sessionId as string;
    await putPart(first, alice, sessionId, 1, parts[0]);
    await putPart(first, alice, sessionId, 3, parts[2]);
    await putPart(first, alice, dropped, 1, randomBytes(MiB));

    await first.kill();
    second = await startTestServer({ dataDir: first.dataDir, backend: first.backend, adminToken: first.adminToken, env: { DATAFILES_LOG_LEVEL: 'warn' } });

    const resumed = await json(await api(second, alice.token, `${API}/multipart/${sessionId}`));
    assert.equal(resumed.state, 'OPEN');
    assert.deepEqual(
      resumed.parts.map((part: any) => [part.index, part.sizeBytes, part.sha256.toUpperCase()]),
      [
        [1, parts[0].length, sha256(parts[0])],
        [3, parts[2].length, sha256(parts[2])],
      ],
      'the restarted server knows exactly the parts received before the crash',
    );

    await putPart(second, alice, sessionId, 2, parts[1]);
    await putPart(second, alice, sessionId, 4, parts[3]);
    const committed = await post(second, alice, `${API}/multipart/${sessionId}/commit`);

    const download = await api(second, alice.token, `${API}/${committed.dataFileId}`);
    assert.equal(download.status, 200);
    const downloaded = Buffer.from(await download.arrayBuffer());
    assert.equal(downloaded.length, whole.length);
    assert.equal(sha256(downloaded), sha256(whole));
    const details = await json(await api(second, alice.token, `${API}/${committed.dataFileId}/details`));
    assert.equal(details.currentRevision.sha256HashValue, sha256(whole));

    // The other session, interrupted by the crash, is aborted after the restart.
    await post(second, alice, `${API}/multipart/${dropped}/abort`);
    assert.deepEqual(await filesIn(second, 'uploads'), [], 'no staged part remains after commit and abort');
    assert.deepEqual(await filesIn(second, 'tmp'), [], 'no temporary file remains');
  });
});

describe('expired sessions are swept with their parts', () => {
  let server: TestServer;
  let alice: TestUser;

  before(async () => {
    server = await startTestServer({ env: { DATAFILES_LOG_LEVEL: 'warn', DATAFILES_SESSION_TTL_MS: '2000' } });
    alice = await server.addUser('alice');
  });
  after(async () => server?.cleanup());

  it('an idle session past its TTL expires, its parts are removed, and it refuses new parts', async () => {
    const { sessionId } = await createSession(server, alice, 'idle.bin');
    await putPart(server, alice, sessionId, 1, randomBytes(MiB));
    assert.notDeepEqual(await filesIn(server, 'uploads'), [], 'the part is staged');

    const deadline = Date.now() + 20_000;
    let state = 'OPEN';
    while (Date.now() < deadline) {
      state = (await json(await api(server, alice.token, `${API}/multipart/${sessionId}`))).state;
      if (state === 'EXPIRED' && (await filesIn(server, 'uploads')).length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(state, 'EXPIRED');
    assert.deepEqual(await filesIn(server, 'uploads'), [], 'the expired session’s parts are gone');
    const late = await api(server, alice.token, `${API}/multipart/${sessionId}/part/2`, { method: 'PUT', body: new Uint8Array(randomBytes(10)) });
    assert.equal(late.status, 409, await late.text());
  });
});
