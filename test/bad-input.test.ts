// Malformed and hostile requests. Each one must be refused with a 4xx (never a 5xx, a crash or a
// hang) in Domo's error shape {status, statusReason, message, toe}, where status is the HTTP
// status and toe the X-Request-Id header (docs/decisions.md 4). Afterwards the server must still serve,
// and nothing may be left behind: no temporary file under <dataDir>/files/tmp, and exactly one
// blob per stored revision under <dataDir>/files/blobs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  server,
  target,
  fromFetch,
  fromRaw,
  token,
  get,
  upload,
  putPermissions,
  raw,
  entry,
  runCases,
  form,
  useBadInputServer,
  describeAfterwards,
} from './support/badInput.js';
import { multipartBody, requestHead } from './support/rawHttp.js';
import { API, api, fileForm } from './support/server.js';

useBadInputServer();

describe('ids', () => {
  runCases([
    { name: 'id abc', expect: 400, send: () => get(`${API}/abc/details`) },
    { name: 'id -1', expect: 400, send: () => get(`${API}/-1/details`) },
    { name: 'id 1.5', expect: 400, send: () => get(`${API}/1.5/details`) },
    { name: 'id 0', expect: 400, send: () => get(`${API}/0/details`) },
    { name: 'id 1e3', expect: 400, send: () => get(`${API}/1e3/details`) },
    { name: 'id 0x10', expect: 400, send: () => get(`${API}/0x10/details`) },
    { name: 'huge id 99999999999999999999999', expect: 400, send: () => get(`${API}/99999999999999999999999/details`) },
    // Over the router's 200-character parameter limit: refused before any route runs.
    { name: 'id of 300 digits', expect: [400, 414], send: () => get(`${API}/${'9'.repeat(300)}/details`) },
    { name: 'id that is not valid percent-encoding (%E0%A4%A)', expect: 400, send: () => get(`${API}/%E0%A4%A/details`) },
    { name: 'id abc on download', expect: 400, send: () => get(`${API}/abc`) },
    { name: 'id abc on delete', expect: 400, send: () => api(server, token(), `${API}/abc`, { method: 'DELETE' }).then(fromFetch) },
    { name: 'id abc on permissions', expect: 400, send: () => get(`${API}/abc/permissions`) },
    {
      name: 'id abc on upload revision',
      expect: 400,
      storesNothing: true,
      send: () => api(server, token(), `${API}/abc`, { method: 'PUT', body: form() }).then(fromFetch),
    },
    { name: 'revision id abc', expect: 400, send: () => get(`${API}/${target.id}/revisions/abc`) },
    { name: 'revision id 0 on delete', expect: 400, send: () => api(server, token(), `${API}/${target.id}/revisions/0`, { method: 'DELETE' }).then(fromFetch) },
    { name: 'a file that does not exist', expect: 404, send: () => get(`${API}/987654321/details`) },
    { name: 'a revision that does not exist', expect: 404, send: () => get(`${API}/${target.id}/revisions/987654321`) },
    {
      name: 'upload a revision to a file that does not exist',
      expect: 404,
      storesNothing: true,
      send: () => api(server, token(), `${API}/987654321`, { method: 'PUT', body: form() }).then(fromFetch),
    },
  ]);
});

describe('upload: name, description, public', () => {
  runCases([
    { name: 'no name', expect: 400, storesNothing: true, send: () => upload('', form()) },
    { name: 'empty name', expect: 400, storesNothing: true, send: () => upload('?name=', form()) },
    { name: '1,025-character name', expect: 400, storesNothing: true, send: () => upload(`?name=${'n'.repeat(1025)}`, form()) },
    { name: 'name with CRLF', expect: 400, storesNothing: true, send: () => upload('?name=evil%0D%0ASet-Cookie:%20a=b', form()) },
    { name: 'name with NUL', expect: 400, storesNothing: true, send: () => upload('?name=evil%00.txt', form()) },
    { name: '4,097-character description', expect: 400, storesNothing: true, send: () => upload(`?name=ok&description=${'d'.repeat(4097)}`, form()) },
    { name: 'public=perhaps', expect: 400, storesNothing: true, send: () => upload('?name=ok&public=perhaps', form()) },
    {
      // The request head may be up to --max-header-bytes (128 KiB): a 20,000-character name
      // reaches the name check (issue 10 item 18; test/refused-bodies.test.ts does it with fetch).
      name: '20,000-character name',
      expect: 400,
      storesNothing: true,
      send: async () => {
        const { boundary, body } = multipartBody({ content: 'x' });
        const head = requestHead('POST', `${API}?name=${'n'.repeat(20_000)}`, {
          'X-DOMO-Ryuu-Session': token(),
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': body.length,
        });
        return fromRaw(await raw([head, body]));
      },
    },
  ]);

  it('a path-traversal name is only a label: stored verbatim, downloaded fine, no path in Content-Disposition', async () => {
    for (const name of ['../../etc/passwd', '..\\..\\windows\\win.ini', '/absolute/../name.txt']) {
      const created = await upload(`?name=${encodeURIComponent(name)}`, fileForm('traversal bytes', 'x.txt', 'text/plain'));
      assert.equal(created.status, 200, `${name}: ${created.body}`);
      const { dataFileId } = JSON.parse(created.body);
      const details = JSON.parse((await get(`${API}/${dataFileId}/details`)).body);
      assert.equal(details.name, name);
      const download = await get(`${API}/${dataFileId}`);
      assert.equal(download.status, 200);
      assert.equal(download.body, 'traversal bytes');
      const disposition = download.header('content-disposition') ?? '';
      assert.doesNotMatch(disposition, /\.\.|[\\/]/, `${name}: Content-Disposition ${disposition}`);
      const deleted = await api(server, token(), `${API}/${dataFileId}`, { method: 'DELETE' });
      assert.equal(deleted.status, 200);
    }
  });
});

describe('upload: the body', () => {
  const text = (field: string, value: string) => {
    const body = new FormData();
    body.append(field, value);
    return body;
  };
  runCases([
    {
      name: 'JSON body instead of a form',
      expect: 400,
      storesNothing: true,
      send: () => upload('?name=ok', JSON.stringify({ file: 'bytes' }), { 'content-type': 'application/json' }),
    },
    { name: 'raw bytes with no Content-Type', expect: 400, storesNothing: true, send: () => upload('?name=ok', new Uint8Array([1, 2, 3])) },
    { name: 'form without a file field', expect: 400, storesNothing: true, send: () => upload('?name=ok', text('note', 'no file here')) },
    { name: 'form whose `file` is a text field, not a file', expect: 400, storesNothing: true, send: () => upload('?name=ok', text('file', 'just text')) },
    {
      name: 'the file under another field name',
      expect: 400,
      storesNothing: true,
      send: () => {
        const body = new FormData();
        body.append('upload', new Blob(['bytes']), 'a.txt');
        return upload('?name=ok', body);
      },
    },
    {
      name: 'multipart Content-Type without boundary',
      expect: 400,
      storesNothing: true,
      send: () => upload('?name=ok', 'anything', { 'content-type': 'multipart/form-data' }),
    },
    {
      name: 'multipart Content-Type, body not a form',
      expect: 400,
      storesNothing: true,
      send: () => upload('?name=ok', 'garbage, no boundary in sight', { 'content-type': 'multipart/form-data; boundary=xyz' }),
    },
    {
      name: 'a form cut off before its closing boundary',
      expect: 400,
      storesNothing: true,
      send: () => {
        const { boundary, body } = multipartBody({ content: 'cut' });
        return upload('?name=ok', new Uint8Array(body.subarray(0, body.length - 10)), { 'content-type': `multipart/form-data; boundary=${boundary}` });
      },
    },
    {
      name: 'a part with a malformed header',
      expect: 400,
      storesNothing: true,
      send: () => upload('?name=ok', '--xyz\r\nthis is not a header\r\n\r\nbytes\r\n--xyz--\r\n', { 'content-type': 'multipart/form-data; boundary=xyz' }),
    },
  ]);
});

describe('query parameters', () => {
  runCases([
    { name: 'unknown expand on details', expect: 400, send: () => get(`${API}/${target.id}/details?expand=bogus`) },
    { name: 'expand=revisions,bogus on the list', expect: 400, send: () => get(`${API}/details?expand=revisions,bogus`) },
    { name: 'expand repeated, one bogus', expect: 400, send: () => get(`${API}/details?expand=revisions&expand=bogus`) },
    { name: 'ids=1,abc', expect: 400, send: () => get(`${API}/details?ids=1,abc`) },
    { name: 'ids=1,-2', expect: 400, send: () => get(`${API}/details?ids=1,-2`) },
    { name: '1,001 ids', expect: 400, send: () => get(`${API}/details?ids=${Array.from({ length: 1001 }, (_, index) => index + 1).join(',')}`) },
    { name: 'limitToOwned=maybe', expect: 400, send: () => get(`${API}/details?limitToOwned=maybe`) },
    { name: 'limit=0', expect: 400, send: () => get(`${API}/details?limit=0`) },
    { name: 'offset=-1', expect: 400, send: () => get(`${API}/details?offset=-1`) },
  ]);
});

describe('update permissions', () => {
  let permissionsBefore: string;
  before(async () => {
    permissionsBefore = (await get(`${API}/${target.id}/permissions`)).body;
  });

  runCases([
    { name: 'malformed JSON {"entries":', expect: 400, send: () => putPermissions('{"entries":') },
    { name: 'entries not an array', expect: 400, send: () => putPermissions(JSON.stringify({ entries: { 0: entry() } })) },
    { name: 'unknown grant', expect: 400, send: () => putPermissions(JSON.stringify({ entries: [entry({ grant: 'READ_EVERYTHING' })] })) },
    { name: 'unknown entityType', expect: 400, send: () => putPermissions(JSON.stringify({ entries: [entry({ entityType: 'ROBOT' })] })) },
    { name: 'entityId abc', expect: 400, send: () => putPermissions(JSON.stringify({ entries: [entry({ entityId: 'abc' })] })) },
    { name: 'entityId -5', expect: 400, send: () => putPermissions(JSON.stringify({ entries: [entry({ entityId: -5 })] })) },
    { name: 'duplicated entries', expect: 400, send: () => putPermissions(JSON.stringify({ entries: [entry(), entry()] })) },
    { name: 'unknown pass', expect: 400, send: () => putPermissions(JSON.stringify({ entries: [entry({ pass: 'EVERYONE' })] })) },
    { name: 'publicAccess "yes"', expect: 400, send: () => putPermissions(JSON.stringify({ publicAccess: 'yes' })) },
    {
      name: '1,001 entries',
      expect: 400,
      send: () => putPermissions(JSON.stringify({ entries: Array.from({ length: 1001 }, (_, index) => entry({ entityId: String(index + 1) })) })),
    },
    { name: 'empty body (application/json)', expect: 400, send: () => putPermissions(undefined) },
    { name: 'empty body, no Content-Type', expect: 400, send: () => putPermissions(undefined, undefined) },
    { name: 'body [] (not an object)', expect: 400, send: () => putPermissions('[]') },
    { name: 'body null', expect: 400, send: () => putPermissions('null') },
    { name: '__proto__ in the body', expect: 400, send: () => putPermissions('{"__proto__":{"publicAccess":true},"entries":[]}') },
    { name: 'XML body', expect: [400, 415], send: () => putPermissions('<permissions/>', 'application/xml') },
    {
      name: '2 MiB JSON body (over the JSON limit)',
      expect: 413,
      send: () => putPermissions(JSON.stringify({ entries: [], padding: 'p'.repeat(2 * 1024 * 1024) })),
    },
  ]);

  it('none of them changed the permissions', async () => {
    assert.equal((await get(`${API}/${target.id}/permissions`)).body, permissionsBefore);
  });
});

describe('routes and methods', () => {
  runCases([
    { name: 'unknown route under the API', expect: 404, send: () => get(`${API}/${target.id}/nope`) },
    { name: 'unknown route outside the API', expect: 404, send: () => get('/nowhere') },
    { name: 'PATCH on a file', expect: [404, 405], send: () => api(server, token(), `${API}/${target.id}`, { method: 'PATCH', body: '{}' }).then(fromFetch) },
    {
      name: 'POST on details',
      expect: [404, 405],
      send: () =>
        api(server, token(), `${API}/${target.id}/details`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then(fromFetch),
    },
    {
      name: 'dot segments in the raw path',
      expect: [400, 404],
      send: async () => fromRaw(await raw([requestHead('GET', `${API}/../../etc/passwd`, { 'X-DOMO-Ryuu-Session': token() })])),
    },
  ]);
});

describe('downloads', () => {
  runCases([
    {
      name: 'Range bytes=999999-',
      expect: 416,
      send: () => get(`${API}/${target.id}`, { range: 'bytes=999999-' }),
      check: (answer) => assert.equal(answer.header('content-range'), `bytes */${Buffer.byteLength(target.content)}`),
    },
    {
      name: 'Range bytes=999999- on a given revision',
      expect: 416,
      send: () => get(`${API}/${target.id}/revisions/${target.revisionId}`, { range: 'bytes=999999-' }),
      check: (answer) => assert.equal(answer.header('content-range'), `bytes */${Buffer.byteLength(target.content)}`),
    },
    { name: 'Range bytes=-0', expect: 416, send: () => get(`${API}/${target.id}`, { range: 'bytes=-0' }) },
  ]);
});

describe('tokens', () => {
  runCases([
    { name: 'no token', expect: 401, send: () => api(server, undefined, `${API}/details`).then(fromFetch) },
    { name: 'unknown token', expect: 401, send: () => api(server, 'not-a-token', `${API}/details`).then(fromFetch) },
    { name: 'X-DOMO-Ryuu-Session of 10,000 characters', expect: 401, send: () => api(server, 't'.repeat(10_000), `${API}/details`).then(fromFetch) },
    {
      name: 'ryuu_sid query parameter of 10,000 characters',
      expect: 401,
      send: () => api(server, undefined, `${API}/details?ryuu_sid=${'t'.repeat(10_000)}`).then(fromFetch),
    },
    {
      name: 'Authorization: Bearer with no token',
      expect: 401,
      send: () => api(server, undefined, `${API}/details`, { headers: { authorization: 'Bearer ' } }).then(fromFetch),
    },
    {
      name: 'ryuu_sid cookie that is not valid percent-encoding',
      expect: 401,
      send: () => api(server, undefined, `${API}/details`, { headers: { cookie: 'ryuu_sid=%E0%A4%A' } }).then(fromFetch),
    },
    {
      name: 'header injection, percent-encoded, in the token header',
      expect: 401,
      send: () => api(server, `${token()}%0D%0ASet-Cookie:%20ryuu_sid=evil`, `${API}/details`).then(fromFetch),
      check: (answer) => assert.equal(answer.header('set-cookie'), undefined),
    },
    {
      name: 'header injection, bare CR, in the token header',
      expect: 400,
      send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ${token()}\rSet-Cookie: ryuu_sid=evil\r\n\r\n`])),
      check: (answer) => assert.equal(answer.header('set-cookie'), undefined),
    },
    {
      name: 'header injection, folded line, in the token header',
      expect: 400,
      send: async () =>
        fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ${token()}\r\n X-DOMO-Developer-Token: evil\r\n\r\n`])),
    },
    {
      name: 'NUL in the token header',
      expect: 400,
      send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ab\u0000cd\r\n\r\n`])),
    },
  ]);
});

describe('afterwards', describeAfterwards);
