// docs/decisions.md 150: the list is read --list-batch-rows files at a time; a list longer than
// one batch streams out, and `after` pages by key. A server with batches of 2 files, so that every
// list of 3 or more crosses batch boundaries; the answers must be what one query would give.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@datafiles/sdk';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

const API = '/domo/data-files/v1';
let server: TestServer;
let alice: TestUser;
let bob: TestUser;
const ids: number[] = [];

async function call(token: string, pathAndQuery: string, init: RequestInit = {}): Promise<{ status: number; body: any; contentType: string | null }> {
  const headers = new Headers(init.headers);
  headers.set('X-DOMO-Ryuu-Session', token);
  const response = await fetch(`${server.url}${API}${pathAndQuery}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, contentType: response.headers.get('content-type') };
}

async function list(token: string, query: string): Promise<any[]> {
  const { status, body } = await call(token, `/details?${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

before(async () => {
  server = await startTestServer({ args: ['--list-batch-rows', '2'] });
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
  for (let index = 0; index < 5; index += 1) {
    const form = new FormData();
    form.append('file', new Blob([`file ${index}\n`], { type: 'text/plain' }), `f${index}.txt`);
    const { status, body } = await call(alice.token, `?name=f${index}.txt`, { method: 'POST', body: form });
    assert.equal(status, 200, JSON.stringify(body));
    ids.push(body.dataFileId);
  }
  // Bob reads one of them through an entry, and owns one of his own.
  const shared = await call(alice.token, `/${ids[3]}/permissions`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ entries: [{ entityType: 'USER', entityId: String(bob.id), grant: 'READ', pass: 'NONE' }] }),
  });
  assert.equal(shared.status, 200, JSON.stringify(shared.body));
  const form = new FormData();
  form.append('file', new Blob(['bob\n'], { type: 'text/plain' }), 'b.txt');
  ids.push((await call(bob.token, '?name=b.txt', { method: 'POST', body: form })).body.dataFileId);
});
after(() => server?.cleanup());

describe('a list longer than one batch (--list-batch-rows 2)', () => {
  it('streams out every file once, in id order, each as GET details answers it', async () => {
    const { status, body, contentType } = await call(alice.token, '/details?limitToOwned=false&expand=metadata');
    assert.equal(status, 200);
    assert.match(contentType ?? '', /^application\/json/);
    assert.deepEqual(
      body.map((file: any) => file.dataFileId),
      ids.slice(0, 5),
    );
    for (const file of body) assert.deepEqual(file, (await call(alice.token, `/${file.dataFileId}/details?expand=metadata`)).body);
    const admin = await list(server.adminToken, '');
    assert.deepEqual(
      admin.map((file) => file.dataFileId),
      ids,
    );
  });

  it('expand=revisions lists each file with its revisions in every batch', async () => {
    const files = await list(alice.token, 'expand=revisions');
    assert.deepEqual(
      files.map((file) => file.revisions.map((revision: any) => revision.dataFileRevisionId)),
      files.map((file) => [file.currentRevision.dataFileRevisionId]),
    );
  });

  it('limit and offset page across batches as one query would', async () => {
    const page = async (query: string) => (await list(alice.token, query)).map((file) => file.dataFileId);
    assert.deepEqual(await page('limit=3&offset=1'), ids.slice(1, 4));
    assert.deepEqual(await page('offset=2'), ids.slice(2, 5));
    assert.deepEqual(await page('limit=4'), ids.slice(0, 4));
    assert.deepEqual(await page('limit=2&offset=4'), ids.slice(4, 5));
    assert.deepEqual(await page('offset=5'), []);
  });

  it('after=<dataFileId> starts after that file, with or without limit, offset and the other filters', async () => {
    const page = async (token: string, query: string) => (await list(token, query)).map((file) => file.dataFileId);
    assert.deepEqual(await page(alice.token, `after=${ids[1]}`), ids.slice(2, 5));
    assert.deepEqual(await page(alice.token, `after=${ids[0]}&limit=3`), ids.slice(1, 4));
    assert.deepEqual(await page(alice.token, `after=${ids[0]}&limit=2&offset=1`), ids.slice(2, 4));
    assert.deepEqual(await page(alice.token, `after=${ids[4]}`), []);
    assert.deepEqual(await page(alice.token, 'after=0'), ids.slice(0, 5));
    assert.deepEqual(await page(bob.token, `after=${ids[0]}`), [ids[3], ids[5]]);
    assert.deepEqual(await page(bob.token, `after=${ids[3]}&limitToOwned=true`), [ids[5]]);
    assert.deepEqual(await page(bob.token, `after=${ids[0]}&ids=${ids.join(',')}`), [ids[3], ids[5]]);
    assert.deepEqual(await page(server.adminToken, `after=${ids[2]}&userId=${alice.id}`), ids.slice(3, 5));
  });

  it("the SDK's getFileDetailsList passes after", async () => {
    const client = createClient({ baseUrl: server.url, token: alice.token });
    const files = await client.getFileDetailsList({ after: ids[2], limit: 1 });
    assert.deepEqual(
      files.map((file) => file.dataFileId),
      [ids[3]],
    );
  });

  it('paging with after walks the whole list, a page at a time', async () => {
    const seen: number[] = [];
    for (let last = 0; ;) {
      const files = await list(server.adminToken, `after=${last}&limit=2`);
      if (files.length === 0) break;
      seen.push(...files.map((file) => file.dataFileId));
      last = files[files.length - 1].dataFileId;
    }
    assert.deepEqual(seen, ids);
  });

  it('refuses an after that is not a whole number ≥ 0 with 400', async () => {
    for (const bad of ['-1', 'x', '1.5']) {
      const { status, body } = await call(alice.token, `/details?after=${bad}`);
      assert.equal(status, 400, bad);
      assert.equal(typeof body.message, 'string');
    }
  });
});
