// Issue 10, items 2, 6 and 12, against the real server: what a download's headers may carry.
//  2. A content type holding a NUL, a character above Latin-1 or CRLF was accepted; the file's GET
//     then never answered and HEAD answered 500. Every entry now refuses it (400), and a type
//     stored before is served as application/octet-stream (docs/decisions.md 35).
//  6. Downloads carry Cross-Origin-Resource-Policy: same-origin beside nosniff and the CSP sandbox.
// 12. Bidirectional and other controls in a name never reach Content-Disposition
//     (docs/decisions.md 38); the stored name keeps them.
// Both backends: test/scale-out/security-headers.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_PREFIXES } from '../src/http/app.js';
import { testBackend } from './support/backend.js';
import { runSql } from './support/metadataSql.js';
import { multipartBody, rawExchange, requestHead } from './support/rawHttp.js';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser, assertDomoErrorAnswer as assertDomoError } from './support/server.js';

let server: TestServer;
let alice: TestUser;

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
});
after(() => server?.cleanup());

/** Every request here must answer within this long: a download that hangs is the bug. */
const within = () => AbortSignal.timeout(10_000);

const call = (path: string, init: RequestInit = {}) => api(server, alice.token, path, { signal: within(), ...init });

async function uploadNamed(name: string, bytes: string, filename = 'x.txt'): Promise<number> {
  const response = await call(`${API}?name=${encodeURIComponent(name)}`, { method: 'POST', body: fileForm(bytes, filename, 'text/plain') });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { dataFileId: number }).dataFileId;
}

async function currentRevisionId(fileId: number): Promise<number> {
  const details = (await (await call(`${API}/${fileId}/details`)).json()) as { currentRevision: { dataFileRevisionId: number } };
  return details.currentRevision.dataFileRevisionId;
}

/** The types issue 10 found accepted, and neighbours of them. */
const UNSAFE_TYPES: Record<string, string> = {
  'a NUL in a parameter': 'text/plain; x="\u0000"',
  'a NUL in the subtype': 'text/pl\u0000ain',
  'a character above Latin-1': 'text/plain; name="\u20ac"',
  'a Latin-1 letter': 'text/pl\u00e9in',
  'CRLF before a parameter': 'text/plain;\r\n x=y',
  'CRLF and a header': 'text/plain\r\nX-Injected: 1',
  'a vertical tab in a quoted value': 'text/plain; x="\u000b"',
};

describe('content types are RFC 9110 media types at every entry (issue 10, item 2)', () => {
  it('a multipart session is refused 400 for each, and created for a valid type', async () => {
    for (const [what, contentType] of Object.entries(UNSAFE_TYPES)) {
      const response = await call(`${API}/multipart`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'a.txt', contentType }),
      });
      const body = await assertDomoError(response, 400, what);
      assert.match(String(body.message), /contentType/, what);
    }
    const valid = await call(`${API}/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a.txt', contentType: 'text/csv; charset="utf-8"; header=present' }),
    });
    assert.equal(valid.status, 200, await valid.text());
  });

  it('an update session on an existing file is refused 400 the same way', async () => {
    const fileId = await uploadNamed('update-me.txt', 'one');
    for (const [what, contentType] of Object.entries(UNSAFE_TYPES)) {
      const response = await call(`${API}/${fileId}/multipart`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'a.txt', contentType }),
      });
      await assertDomoError(response, 400, what);
    }
  });

  it("a form part's declared type: a malformed part header is 400, parameters never reach the file", async () => {
    const url = (path: string) => `${API}${path}`;
    const send = async (type: string) => {
      const { boundary, body } = multipartBody({ filename: 'noextension', type, content: 'declared' });
      const head = requestHead('POST', url('?name=declared'), {
        'X-DOMO-Ryuu-Session': alice.token,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': body.length,
      });
      return rawExchange(server.url, [Buffer.from(head, 'latin1'), body]);
    };
    const withNul = await send('text/pl\u0000ain');
    assert.equal(withNul.response?.status, 400, withNul.received.toString('latin1').slice(0, 300));
    const withEuro = await send('text/x-declared; name="\u20ac"');
    assert.equal(withEuro.response?.status, 200, withEuro.received.toString('latin1').slice(0, 300));
    const { dataFileId } = JSON.parse(withEuro.response!.body.toString('utf8')) as { dataFileId: number };
    const download = await call(`${API}/${dataFileId}`);
    assert.equal(download.headers.get('content-type'), 'text/x-declared');
    assert.equal(await download.text(), 'declared');
  });

  it('a type stored before the check is served as application/octet-stream: GET and HEAD answer, never hang', async () => {
    for (const [what, contentType] of Object.entries(UNSAFE_TYPES)) {
      // PostgreSQL text cannot hold a NUL: no such row can exist there.
      if (testBackend() === 'scale-out' && contentType.includes('\u0000')) continue;
      const fileId = await uploadNamed(`stored ${what}.txt`, `bytes of ${what}`);
      const revisionId = await currentRevisionId(fileId);
      await runSql(server, 'update revisions set content_type = ? where id = ?', [contentType, revisionId]);
      for (const prefix of API_PREFIXES) {
        for (const path of [`${prefix}/${fileId}`, `${prefix}/${fileId}/revisions/${revisionId}`]) {
          const got = await call(path);
          assert.equal(got.status, 200, `${what}: GET ${path}`);
          assert.equal(got.headers.get('content-type'), 'application/octet-stream', `${what}: GET ${path}`);
          assert.match(got.headers.get('content-disposition') ?? '', /^attachment/, `${what}: GET ${path}`);
          assert.equal(await got.text(), `bytes of ${what}`, `${what}: GET ${path}`);
          const head = await call(path, { method: 'HEAD' });
          assert.equal(head.status, 200, `${what}: HEAD ${path}`);
          assert.equal(head.headers.get('content-type'), 'application/octet-stream', `${what}: HEAD ${path}`);
          assert.equal(head.headers.get('content-length'), String(`bytes of ${what}`.length), `${what}: HEAD ${path}`);
        }
      }
    }
  });
});

describe('downloads carry Cross-Origin-Resource-Policy: same-origin (issue 10, item 6)', () => {
  it('on every download route, GET and HEAD, with nosniff and the CSP sandbox', async () => {
    const fileId = await uploadNamed('script.js', 'alert(document.cookie)', 'script.js');
    const revisionId = await currentRevisionId(fileId);
    for (const prefix of API_PREFIXES) {
      for (const path of [`${prefix}/${fileId}`, `${prefix}/${fileId}/revisions/${revisionId}`, `${prefix}/${fileId}?download=true`]) {
        for (const method of ['GET', 'HEAD']) {
          for (const headers of [{}, { range: 'bytes=0-4' }] as Record<string, string>[]) {
            const response = await call(path, { method, headers });
            assert.ok(response.status === 200 || response.status === 206, `${method} ${path}: ${response.status}`);
            assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin', `${method} ${path}`);
            assert.equal(response.headers.get('x-content-type-options'), 'nosniff', `${method} ${path}`);
            assert.equal(response.headers.get('content-security-policy'), 'sandbox', `${method} ${path}`);
            await response.arrayBuffer();
          }
        }
      }
    }
  });
});

describe('bidirectional and other controls never reach the download filename (issue 10, item 12)', () => {
  const CONTROLS = ['\u202E', '\u202D', '\u202A', '\u202B', '\u202C', '\u200E', '\u200F', '\u2066', '\u2067', '\u2068', '\u2069', '\u061C', '\u0085', '\u009B'];

  it('neither the ASCII fallback nor filename* carries them; the stored name keeps them', async () => {
    for (const control of CONTROLS) {
      const name = `invoice${control}fdp.exe`;
      const fileId = await uploadNamed(name, 'MZ', 'x.bin');
      const details = (await (await call(`${API}/${fileId}/details`)).json()) as { name: string };
      assert.equal(details.name, name, 'the stored name is verbatim');
      for (const method of ['GET', 'HEAD']) {
        const response = await call(`${API}/${fileId}`, { method });
        const disposition = response.headers.get('content-disposition') ?? '';
        await response.arrayBuffer();
        assert.match(disposition, /filename="?invoice_fdp\.exe"?/, `${JSON.stringify(control)}: ${disposition}`);
        const extended = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
        if (extended !== undefined) assert.ok(!decodeURIComponent(extended).includes(control), `${JSON.stringify(control)}: filename* ${extended}`);
        assert.ok(!disposition.includes(control), JSON.stringify(control));
      }
    }
  });

  it('a multipart session name with an override is neutralised too, and other letters stay', async () => {
    const created = await call(`${API}/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'résumé\u202Efdp.exe', contentType: 'application/octet-stream' }),
    });
    const { sessionId } = (await created.json()) as { sessionId: string };
    assert.equal((await call(`${API}/multipart/${sessionId}/part/1`, { method: 'PUT', body: 'MZ' })).status, 200);
    const committed = await call(`${API}/multipart/${sessionId}/commit`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const { dataFileId } = (await committed.json()) as { dataFileId: number };
    const response = await call(`${API}/${dataFileId}`, { method: 'HEAD' });
    const disposition = response.headers.get('content-disposition') ?? '';
    assert.match(disposition, /filename\*=UTF-8''r%C3%A9sum%C3%A9_fdp\.exe/, disposition);
    assert.ok(!decodeURIComponent(disposition).includes('\u202E'), disposition);
  });
});
