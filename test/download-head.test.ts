// Issue 10, item 3: HEAD on a download answered Content-Length: 0 (Fastify's automatic HEAD route
// measured the empty body it sends). HEAD must answer exactly what GET would, minus the body: on
// every download route (both API prefixes, the current revision and a given one), whole, ranged,
// conditional and unsatisfiable. Both backends: test/scale-out/download-head.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { API_PREFIXES } from '../src/http/app.js';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

let server: TestServer;
let alice: TestUser;
let fileId: number;
let firstRevisionId: number;
const first = randomBytes(3000);
const current = Buffer.from('the current revision, in plain text\n'.repeat(40));

/** Headers that differ between any two answers, whatever the method. */
const PER_ANSWER = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!PER_ANSWER.has(name)) headers[name] = value;
  });
  return headers;
}

async function getAndHead(path: string, headers: Record<string, string> = {}) {
  const got = await api(server, alice.token, path, { headers });
  const body = Buffer.from(await got.arrayBuffer());
  const head = await api(server, alice.token, path, { method: 'HEAD', headers });
  assert.equal((await head.arrayBuffer()).byteLength, 0, `HEAD ${path}: a body`);
  return { get: { status: got.status, headers: headersOf(got), body }, head: { status: head.status, headers: headersOf(head) } };
}

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  const created = await api(server, alice.token, `${API}?name=head.bin`, { method: 'POST', body: fileForm(first, 'head.bin') });
  assert.equal(created.status, 200, await created.clone().text());
  fileId = ((await created.json()) as { dataFileId: number }).dataFileId;
  const details = await (await api(server, alice.token, `${API}/${fileId}/details`)).json();
  firstRevisionId = details.currentRevision.dataFileRevisionId;
  const revised = await api(server, alice.token, `${API}/${fileId}`, { method: 'PUT', body: fileForm(current, 'head.txt', 'text/plain') });
  assert.equal(revised.status, 200, await revised.clone().text());
});
after(() => server?.cleanup());

describe('HEAD on downloads answers what GET answers, without the body (issue 10)', () => {
  const routes = () =>
    API_PREFIXES.flatMap((prefix) => [
      { what: `${prefix}/{id}`, path: `${prefix}/${fileId}`, bytes: current },
      { what: `${prefix}/{id}/revisions/{first}`, path: `${prefix}/${fileId}/revisions/${firstRevisionId}`, bytes: first },
    ]);

  it('whole: 200 with the real Content-Length, type, ETag, disposition and Accept-Ranges', async () => {
    for (const route of routes()) {
      const { get, head } = await getAndHead(route.path);
      assert.equal(get.status, 200, route.what);
      assert.deepEqual(get.body, route.bytes, route.what);
      assert.equal(head.status, 200, route.what);
      assert.equal(head.headers['content-length'], String(route.bytes.length), `${route.what}: HEAD Content-Length`);
      for (const name of ['content-type', 'etag', 'last-modified', 'content-disposition', 'accept-ranges', 'cache-control'])
        assert.ok(head.headers[name], `${route.what}: HEAD has no ${name}`);
      assert.deepEqual(head.headers, get.headers, route.what);
    }
  });

  it('with ?download=true: the same attachment disposition', async () => {
    for (const route of routes()) {
      const { get, head } = await getAndHead(`${route.path}?download=true`);
      assert.match(head.headers['content-disposition'], /^attachment/, route.what);
      assert.deepEqual(head.headers, get.headers, route.what);
    }
  });

  it('with Range: 206, Content-Range and the length of the range', async () => {
    for (const route of routes()) {
      for (const range of ['bytes=10-19', 'bytes=-7', `bytes=${route.bytes.length - 3}-`]) {
        const { get, head } = await getAndHead(route.path, { range });
        assert.equal(get.status, 206, `${route.what} ${range}`);
        assert.equal(head.status, 206, `${route.what} ${range}`);
        assert.equal(head.headers['content-length'], String(get.body.length), `${route.what} ${range}: HEAD Content-Length`);
        assert.match(head.headers['content-range'], new RegExp(`^bytes \\d+-\\d+/${route.bytes.length}$`), `${route.what} ${range}`);
        assert.deepEqual(head.headers, get.headers, `${route.what} ${range}`);
      }
    }
  });

  it('conditional: If-None-Match → 304, a stale If-Range → the whole body', async () => {
    for (const route of routes()) {
      const { get: whole } = await getAndHead(route.path);
      const etag = whole.headers.etag;
      const notModified = await getAndHead(route.path, { 'if-none-match': etag });
      assert.equal(notModified.get.status, 304, route.what);
      assert.equal(notModified.head.status, 304, route.what);
      assert.deepEqual(notModified.head.headers, notModified.get.headers, route.what);
      const stale = await getAndHead(route.path, { range: 'bytes=0-9', 'if-range': '"not-this-one"' });
      assert.equal(stale.head.status, 200, route.what);
      assert.equal(stale.head.headers['content-length'], String(route.bytes.length), route.what);
      assert.deepEqual(stale.head.headers, stale.get.headers, route.what);
    }
  });

  it('unsatisfiable: 416 with Content-Range bytes */size, as GET', async () => {
    for (const route of routes()) {
      const { get, head } = await getAndHead(route.path, { range: `bytes=${route.bytes.length}-` });
      assert.equal(get.status, 416, route.what);
      assert.equal(head.status, 416, route.what);
      assert.equal(head.headers['content-range'], `bytes */${route.bytes.length}`, route.what);
      assert.equal(head.headers['content-range'], get.headers['content-range'], route.what);
    }
  });

  it('refusals are the same too: no token 401, no such file 404', async () => {
    const noToken = await fetch(`${server.url}${API}/${fileId}`, { method: 'HEAD' });
    assert.equal(noToken.status, 401);
    const missing = await api(server, alice.token, `${API}/999999`, { method: 'HEAD' });
    assert.equal(missing.status, 404);
  });
});
