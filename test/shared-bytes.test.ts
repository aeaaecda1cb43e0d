// Issue 13 item 5: copies and duplicates do not copy bytes (docs/decisions.md 83). Checked where the
// bytes live, on whichever backend the suite runs: files under <dataDir>/files/blobs (disk), or
// objects under the bucket's blobs/ prefix (S3). A duplicate or a copy adds no blob and no byte;
// deleting the source keeps the copies' bytes; deleting the last reference frees them.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { randomContent } from './support/bytes.js';
import { fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';
import { storedBytesOf, type StoredBytes } from './support/storedBytes.js';

const P = '/api/data/v1/data-files';
const SIZE = 3 * 1024 * 1024;

let server: TestServer;
let stored: StoredBytes;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startTestServer();
  stored = storedBytesOf(server);
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
});
after(async () => {
  stored?.close();
  await server?.cleanup();
});

function call(user: TestUser, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('X-DOMO-Developer-Token', user.token);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

async function json(response: Response, status = 200): Promise<any> {
  const text = await response.text();
  assert.equal(response.status, status, text.slice(0, 300));
  return JSON.parse(text);
}

/** The stored blobs, and (on disk, where sizes are at hand) the bytes they hold. */
async function usage(): Promise<{ blobs: string[]; bytes?: number }> {
  const blobs = (await stored.blobs()).sort();
  if (server.backend.args.includes('--s3-bucket')) return { blobs };
  let bytes = 0;
  for (const blob of blobs) bytes += (await stat(blob)).size;
  return { blobs, bytes };
}

async function downloaded(user: TestUser, id: number): Promise<Buffer> {
  const response = await call(user, `${P}/${id}`);
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

const upload = async (user: TestUser, bytes: Uint8Array | string, name: string) =>
  (await json(await call(user, `${P}?name=${name}`, { method: 'POST', body: fileForm(bytes, name) }))).dataFileId as number;

describe('copies and duplicates share bytes (issue 13 item 5)', () => {
  it('a duplicate adds no blob and no byte; deleting the source keeps its bytes; deleting it frees them', async () => {
    const bytes = randomContent(SIZE);
    const source = await upload(alice, bytes, 'big.bin');
    const start = await usage();
    const duplicate = (await json(await call(bob, `${P}/${source}/duplicate`, { method: 'POST' }))).dataFileId as number;
    const second = (await json(await call(bob, `${P}/${duplicate}/duplicate`, { method: 'POST' }))).dataFileId as number;
    assert.deepEqual(await usage(), start, 'two duplicates: the same blobs, the same bytes');

    assert.deepEqual(await json(await call(alice, `${P}/${source}`, { method: 'DELETE' })), {});
    assert.deepEqual(await usage(), start, 'the source is gone; its bytes are still referenced');
    assert.deepEqual(await downloaded(bob, duplicate), bytes);
    await json(await call(bob, `${P}/${duplicate}`, { method: 'DELETE' }));
    assert.deepEqual(await downloaded(bob, second), bytes);
    assert.deepEqual(await usage(), start);

    await json(await call(bob, `${P}/${second}`, { method: 'DELETE' }));
    const end = await usage();
    assert.equal(end.blobs.length, start.blobs.length - 1, 'the last reference freed the blob');
    if (start.bytes !== undefined) assert.equal(end.bytes, start.bytes - SIZE);
  });

  it('a copy adds no blob; deleting the source, then the copied revision, frees the bytes once', async () => {
    const bytes = randomContent(SIZE);
    const source = await upload(alice, bytes, 'copied.bin');
    const target = await upload(alice, 'small target', 'target.bin');
    const start = await usage();
    const { revisionId } = await json(await call(alice, `${P}/copy/${source}/revisions/current/${target}`, { method: 'POST' }));
    await json(await call(alice, `${P}/copy/${source}/revisions/current/${target}`, { method: 'POST' }));
    assert.deepEqual(await usage(), start);
    await json(await call(alice, `${P}/${source}/revisions/-1`, { method: 'DELETE' }));
    assert.deepEqual(await usage(), start, 'the source file is gone with its only revision; two copies remain');
    assert.deepEqual(await downloaded(alice, target), bytes);
    await json(await call(alice, `${P}/${target}/revisions/-1`, { method: 'DELETE' }));
    assert.deepEqual(await usage(), start);
    assert.deepEqual(await downloaded(alice, target), bytes, 'the first copy is current again');
    await json(await call(alice, `${P}/${target}/revisions/${revisionId}`, { method: 'DELETE' }));
    assert.equal((await usage()).blobs.length, start.blobs.length - 1);
    assert.equal(Buffer.from(await downloaded(alice, target)).toString(), 'small target');
  });

  it('deleting the source and its duplicate at once frees the blob exactly once', async () => {
    const bytes = randomContent(64 * 1024);
    const source = await upload(alice, bytes, 'race.bin');
    const duplicate = (await json(await call(alice, `${P}/${source}/duplicate`, { method: 'POST' }))).dataFileId as number;
    const start = await usage();
    const answers = await Promise.all([call(alice, `${P}/${source}`, { method: 'DELETE' }), call(alice, `${P}/${duplicate}`, { method: 'DELETE' })]);
    for (const answer of answers) await json(answer);
    assert.equal((await usage()).blobs.length, start.blobs.length - 1);
  });
});
