// Issue 15, item 1: the web interface is served by `datafiles serve` itself, at / with its assets
// under /ui/, from the package's own build (no CDN), under a strict Content-Security-Policy of its
// own that is not the downloads' sandbox policy (docs/decisions.md 111).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { get, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { assertDomoErrorAnswer, REPO_ROOT, startTestServer, type TestServer } from './support/server.js';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server?.cleanup());

describe('the web interface is served at /', () => {
  it('answers the page with a strict policy and no inline script', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const policy = response.headers.get('content-security-policy') ?? '';
    assert.match(policy, /default-src 'self'/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|sandbox/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const page = await response.text();
    assert.match(page, /<script type="module" src="\/ui\/app\.js"><\/script>/);
    // Every script is an external file of this origin: no inline code for the policy to allow.
    assert.doesNotMatch(page, /<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it('serves the bundle gzipped to browsers that accept it, with the same policy', async () => {
    const plain = await fetch(`${server.url}/ui/app.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.status, 200);
    assert.match(plain.headers.get('content-type') ?? '', /javascript/);
    const source = Buffer.from(await plain.arrayBuffer());
    // Node's fetch would unzip silently: ask over plain HTTP to see the encoding on the wire.
    const zipped = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${server.url}/ui/app.js`, { headers: { 'accept-encoding': 'gzip' } }, resolve).once('error', reject),
    );
    const wire: Buffer[] = [];
    for await (const chunk of zipped) wire.push(chunk as Buffer);
    assert.equal(zipped.statusCode, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers['content-security-policy']), /default-src 'self'/);
    assert.ok(zipped.headers.etag);
    assert.deepEqual(gunzipSync(Buffer.concat(wire)), source);
    assert.ok(source.length > 0);
  });

  it('keeps the whole JavaScript under 100 KB gzipped (issue 15)', async () => {
    const directory = path.join(REPO_ROOT, 'dist/ui');
    let total = 0;
    for (const name of await readdir(directory)) if (name.endsWith('.js.gz')) total += (await readFile(path.join(directory, name))).length;
    assert.ok(total > 0 && total <= 100 * 1024, `${total} bytes gzipped`);
  });

  it("answers an unknown asset 404 in Domo's error shape, and the API is unchanged", async () => {
    const missing = await fetch(`${server.url}/ui/nothing-here.js`);
    await assertDomoErrorAnswer(missing, 404, 'an unknown asset');
    const api = await fetch(`${server.url}/domo/data-files/v1/details`);
    assert.equal(api.status, 401);
  });
});
