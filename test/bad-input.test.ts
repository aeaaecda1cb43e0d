// Malformed and hostile requests. Each one must be refused with a 4xx (never a 5xx, a crash or a
// hang) in Domo's error shape {status, statusReason, message, toe}, where status is the HTTP
// status and toe the X-Request-Id header (docs/decisions.md 4). Afterwards the server must still serve,
// and nothing may be left behind: no temporary file under <dataDir>/files/tmp, and exactly one
// blob per stored revision under <dataDir>/files/blobs.
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';
import { multipartBody, rawExchange, requestHead, type RawOutcome } from './support/rawHttp.js';
import { storedBytesOf, type StoredBytes } from './support/storedBytes.js';

let server: TestServer;
let mallory: TestUser;
/** A file mallory owns, for the routes that need one. */
let target: { id: number; revisionId: number; content: string };

// ---------------------------------------------------------------------------------------------
// Answers, from fetch or from a raw socket, and the checks every refusal must pass.

interface Answer {
  status: number;
  header(name: string): string | undefined;
  body: string;
}

async function fromFetch(response: Response): Promise<Answer> {
  return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, body: await response.text() };
}

function fromRaw(outcome: RawOutcome): Answer | undefined {
  const response = outcome.response;
  if (!response) return undefined;
  return { status: response.status, header: (name) => response.headers[name.toLowerCase()], body: response.body.toString('utf8') };
}

/** A 4xx in the expected set, with a JSON body in Domo's shape whose toe is X-Request-Id. */
function assertDomoError(answer: Answer | undefined, expected: number | readonly number[], what: string): void {
  assert.ok(answer, `${what}: no answer`);
  const allowed = typeof expected === 'number' ? [expected] : expected;
  assert.ok(allowed.includes(answer.status), `${what}: status ${answer.status}, expected ${allowed.join(' or ')}: ${answer.body.slice(0, 300)}`);
  assert.ok(answer.status >= 400 && answer.status < 500, `${what}: ${answer.status} is not a 4xx`);
  assert.match(answer.header('content-type') ?? '', /^application\/json/, `${what}: content-type`);
  let error: Record<string, unknown>;
  try {
    error = JSON.parse(answer.body);
  } catch {
    assert.fail(`${what}: the body is not JSON: ${answer.body.slice(0, 300)}`);
  }
  assert.equal(error.status, answer.status, `${what}: body status ≠ HTTP status (${answer.body.slice(0, 300)})`);
  assert.equal(error.statusReason, STATUS_CODES[answer.status], `${what}: statusReason`);
  assert.equal(typeof error.message, 'string', `${what}: message`);
  assert.ok((error.message as string).length > 0, `${what}: empty message`);
  const requestId = answer.header('x-request-id');
  assert.ok(requestId, `${what}: no X-Request-Id header`);
  assert.equal(error.toe, requestId, `${what}: toe ≠ X-Request-Id`);
  assert.doesNotMatch(answer.body, /\bat .+\.(js|ts):\d+/, `${what}: a stack trace leaked`);
}

// ---------------------------------------------------------------------------------------------
// What is stored: the files and revisions an instance admin sees, temporary files and blobs.

async function storedRevisions(): Promise<string[]> {
  const response = await api(server, server.adminToken, `${API}/details?expand=revisions`);
  assert.equal(response.status, 200);
  const files = (await response.json()) as { dataFileId: number; name: string; revisions: { dataFileRevisionId: number }[] }[];
  return files.flatMap((file) => file.revisions.map((revision) => `${file.dataFileId}/${revision.dataFileRevisionId}`)).sort();
}

// Blobs and temporaries on whichever backend the server runs (disk files, or S3 objects).
let stored: StoredBytes;
const tempFiles = () => stored.temporaries();
const blobFiles = () => stored.blobs();

/** Waits (the server cleans up after a vanished client asynchronously) until `check` passes. */
async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((wait) => setTimeout(wait, 50));
    }
  }
}

/** Nothing was stored and nothing is left half-written. */
async function assertNothingLeftBehind(revisionsBefore: string[], what: string): Promise<void> {
  await eventually(async () => {
    assert.deepEqual(await storedRevisions(), revisionsBefore, `${what}: the stored files changed`);
    assert.deepEqual(await tempFiles(), [], `${what}: temporary files remain`);
    assert.equal((await blobFiles()).length, revisionsBefore.length, `${what}: blob count ≠ revision count`);
  });
}

// ---------------------------------------------------------------------------------------------
// Request builders.

const token = () => mallory.token;
const get = (pathAndQuery: string, headers: Record<string, string> = {}) => api(server, token(), pathAndQuery, { headers }).then(fromFetch);
const upload = (query: string, body: BodyInit, headers: Record<string, string> = {}) => api(server, token(), `${API}${query}`, { method: 'POST', body, headers }).then(fromFetch);
const putPermissions = (body: BodyInit | undefined, contentType: string | undefined = 'application/json') =>
  api(server, token(), `${API}/${target.id}/permissions`, { method: 'PUT', body, headers: contentType ? { 'content-type': contentType } : {} }).then(fromFetch);
const raw = (chunks: (string | Buffer)[], options?: Parameters<typeof rawExchange>[2]) => rawExchange(server.url, chunks, options);
const entry = (overrides: Record<string, unknown> = {}) => ({ entityType: 'USER', entityId: String(mallory.id), grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE', ...overrides });

interface Case {
  name: string;
  expect: number | readonly number[];
  send(): Promise<Answer | undefined>;
  /** Refused uploads: no file and no revision may appear, and no blob or temporary file. */
  storesNothing?: boolean;
  /** More to check on the answer. */
  check?(answer: Answer): void | Promise<void>;
}

function runCases(cases: Case[]): void {
  for (const testCase of cases) {
    it(`${testCase.name} → ${[testCase.expect].flat().join('/')}`, async () => {
      const revisionsBefore = testCase.storesNothing ? await storedRevisions() : undefined;
      const answer = await testCase.send();
      assertDomoError(answer, testCase.expect, testCase.name);
      await testCase.check?.(answer!);
      if (revisionsBefore) await assertNothingLeftBehind(revisionsBefore, testCase.name);
    });
  }
}

const form = () => fileForm('form bytes', 'form.txt', 'text/plain');

// ---------------------------------------------------------------------------------------------

before(async () => {
  server = await startTestServer();
  stored = storedBytesOf(server);
  mallory = await server.addUser('mallory');
  const content = 'the target file: twenty-nine bytes\n';
  const created = await api(server, mallory.token, `${API}?name=target`, { method: 'POST', body: fileForm(content, 'target.txt', 'text/plain') });
  assert.equal(created.status, 200, await created.clone().text());
  const { dataFileId } = (await created.json()) as { dataFileId: number };
  const details = (await (await api(server, mallory.token, `${API}/${dataFileId}/details`)).json()) as { currentRevision: { dataFileRevisionId: number } };
  target = { id: dataFileId, revisionId: details.currentRevision.dataFileRevisionId, content };
});

after(async () => {
  stored?.close();
  await server?.cleanup();
});

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
    { name: 'id abc on upload revision', expect: 400, storesNothing: true, send: () => api(server, token(), `${API}/abc`, { method: 'PUT', body: form() }).then(fromFetch) },
    { name: 'revision id abc', expect: 400, send: () => get(`${API}/${target.id}/revisions/abc`) },
    { name: 'revision id 0 on delete', expect: 400, send: () => api(server, token(), `${API}/${target.id}/revisions/0`, { method: 'DELETE' }).then(fromFetch) },
    { name: 'a file that does not exist', expect: 404, send: () => get(`${API}/987654321/details`) },
    { name: 'a revision that does not exist', expect: 404, send: () => get(`${API}/${target.id}/revisions/987654321`) },
    { name: 'upload a revision to a file that does not exist', expect: 404, storesNothing: true, send: () => api(server, token(), `${API}/987654321`, { method: 'PUT', body: form() }).then(fromFetch) },
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
        const head = requestHead('POST', `${API}?name=${'n'.repeat(20_000)}`, { 'X-DOMO-Ryuu-Session': token(), 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length });
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
    { name: 'JSON body instead of a form', expect: 400, storesNothing: true, send: () => upload('?name=ok', JSON.stringify({ file: 'bytes' }), { 'content-type': 'application/json' }) },
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
    { name: 'multipart Content-Type without boundary', expect: 400, storesNothing: true, send: () => upload('?name=ok', 'anything', { 'content-type': 'multipart/form-data' }) },
    { name: 'multipart Content-Type, body not a form', expect: 400, storesNothing: true, send: () => upload('?name=ok', 'garbage, no boundary in sight', { 'content-type': 'multipart/form-data; boundary=xyz' }) },
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
    { name: '1,001 entries', expect: 400, send: () => putPermissions(JSON.stringify({ entries: Array.from({ length: 1001 }, (_, index) => entry({ entityId: String(index + 1) })) })) },
    { name: 'empty body (application/json)', expect: 400, send: () => putPermissions(undefined) },
    { name: 'empty body, no Content-Type', expect: 400, send: () => putPermissions(undefined, undefined) },
    { name: 'body [] (not an object)', expect: 400, send: () => putPermissions('[]') },
    { name: 'body null', expect: 400, send: () => putPermissions('null') },
    { name: '__proto__ in the body', expect: 400, send: () => putPermissions('{"__proto__":{"publicAccess":true},"entries":[]}') },
    { name: 'XML body', expect: [400, 415], send: () => putPermissions('<permissions/>', 'application/xml') },
    { name: '2 MiB JSON body (over the JSON limit)', expect: 413, send: () => putPermissions(JSON.stringify({ entries: [], padding: 'p'.repeat(2 * 1024 * 1024) })) },
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
    { name: 'POST on details', expect: [404, 405], send: () => api(server, token(), `${API}/${target.id}/details`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then(fromFetch) },
    { name: 'dot segments in the raw path', expect: [400, 404], send: async () => fromRaw(await raw([requestHead('GET', `${API}/../../etc/passwd`, { 'X-DOMO-Ryuu-Session': token() })])) },
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
    { name: 'ryuu_sid query parameter of 10,000 characters', expect: 401, send: () => api(server, undefined, `${API}/details?ryuu_sid=${'t'.repeat(10_000)}`).then(fromFetch) },
    { name: 'Authorization: Bearer with no token', expect: 401, send: () => api(server, undefined, `${API}/details`, { headers: { authorization: 'Bearer ' } }).then(fromFetch) },
    { name: 'ryuu_sid cookie that is not valid percent-encoding', expect: 401, send: () => api(server, undefined, `${API}/details`, { headers: { cookie: 'ryuu_sid=%E0%A4%A' } }).then(fromFetch) },
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
      send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ${token()}\r\n X-DOMO-Developer-Token: evil\r\n\r\n`])),
    },
    { name: 'NUL in the token header', expect: 400, send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ab\u0000cd\r\n\r\n`])) },
  ]);
});

describe('socket level', () => {
  runCases([
    {
      // "answers 400 or closes": if there is an answer, it is a Domo-shaped 400.
      name: 'garbage bytes',
      expect: 400,
      send: async () => {
        const outcome = await raw(['\x00\x01garbage\r\n\r\n']);
        return fromRaw(outcome) ?? (assert.ok(outcome.closedByServer, 'neither answered nor closed'), undefined);
      },
    },
    { name: 'unknown HTTP version', expect: [400, 505], send: async () => fromRaw(await raw([`GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n`])) },
    { name: 'HTTP/1.1 request without Host', expect: 400, send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nX-DOMO-Ryuu-Session: ${token()}\r\n\r\n`])) },
    { name: 'two Host headers', expect: 400, send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nHost: a\r\nHost: b\r\nX-DOMO-Ryuu-Session: ${token()}\r\n\r\n`])) },
    { name: 'method that is not a token', expect: 400, send: async () => fromRaw(await raw([`G(T /healthz HTTP/1.1\r\nHost: x\r\n\r\n`])) },
    {
      name: 'Content-Length and Transfer-Encoding together (smuggling)',
      expect: 400,
      storesNothing: true,
      send: async () => fromRaw(await raw([`POST ${API}?name=smuggled HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ${token()}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`])),
    },
    {
      name: 'a GET with a body, to a bad id',
      expect: 400,
      send: async () => fromRaw(await raw([requestHead('GET', `${API}/abc/details`, { 'X-DOMO-Ryuu-Session': token(), 'Content-Type': 'application/json', 'Content-Length': 7 }) + '{"a":1}'])),
    },
    {
      name: 'a GET with a body, on a kept-alive connection, unauthenticated',
      expect: 401,
      send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello`])),
    },
  ]);

  it('an HTTP/1.0 request without Host is still served (Host is only required of HTTP/1.1)', async () => {
    const outcome = await raw([`GET /healthz HTTP/1.0\r\n\r\n`], { timeoutMs: 2000 });
    assert.equal(outcome.response?.status, 200, outcome.received.toString('latin1').slice(0, 300));
  });

  it('a GET whose body smuggles a second request: the body is only a body', async () => {
    const smuggled = requestHead('DELETE', `${API}/${target.id}`, { 'X-DOMO-Ryuu-Session': token() });
    const head = `GET ${API}/details HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ${token()}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(smuggled)}\r\n\r\n`;
    // The connection stays open until the answer arrives (a client that half-closes first may get
    // none: Node aborts a request whose client has ended the connection).
    const outcome = await raw([head + smuggled], { then: 'keep', timeoutMs: 2000 });
    assert.equal(outcome.response?.status, 200, outcome.received.toString('latin1').slice(0, 300));
    assert.equal((outcome.received.toString('latin1').match(/HTTP\/1\.1 \d{3}/g) ?? []).length, 1, 'more than one answer');
    assert.equal((await get(`${API}/${target.id}/details`)).status, 200, 'the smuggled DELETE ran');
  });

  /** An upload's head and body, as bytes, for cutting short. */
  function rawUpload(content: Buffer, options: { method?: string; path?: string; declaredLength?: number } = {}) {
    const { boundary, body } = multipartBody({ content, filename: 'cut.bin' });
    const head = requestHead(options.method ?? 'POST', options.path ?? `${API}?name=cut`, {
      'X-DOMO-Ryuu-Session': token(),
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': options.declaredLength ?? body.length,
    });
    return { head, body };
  }
  const megabytes = (count: number) => Buffer.alloc(count * 1024 * 1024, 0x61);

  /** Sends a cut-short upload, then checks any answer is a Domo 4xx and nothing was stored. */
  async function cutShort(what: string, send: () => Promise<RawOutcome>): Promise<void> {
    const revisionsBefore = await storedRevisions();
    const outcome = await send();
    const answer = fromRaw(outcome);
    if (answer) assertDomoError(answer, [400, 499], what);
    await assertNothingLeftBehind(revisionsBefore, what);
  }

  it('truncated upload: Content-Length larger than what is sent, then the socket ends', async () => {
    const { head, body } = rawUpload(megabytes(1));
    await cutShort('truncated upload', () => raw([head, body.subarray(0, body.length / 2)], { then: 'end', timeoutMs: 3000 }));
    // Declared far larger than the whole form, which is sent complete.
    const declared = rawUpload(Buffer.from('small'), { declaredLength: 100_000 });
    await cutShort('truncated upload (whole form, short of its Content-Length)', () => raw([declared.head, declared.body], { then: 'end', timeoutMs: 3000 }));
  });

  it('client disconnects midway through an upload (reset after half the body)', async () => {
    const { head, body } = rawUpload(megabytes(4));
    await cutShort('disconnect midway', () => raw([head, body.subarray(0, body.length / 2)], { then: 'destroy' }));
  });

  it('client disconnects after its bytes have started reaching storage', async () => {
    const { head, body } = rawUpload(megabytes(4));
    const slices = Array.from({ length: 8 }, (_, index) => body.subarray((index * body.length) / 16, ((index + 1) * body.length) / 16));
    await cutShort('disconnect after a pause', () => raw([head, ...slices], { then: 'destroy', chunkDelayMs: 40 }));
  });

  it('client disconnects midway through a revision upload', async () => {
    const { head, body } = rawUpload(megabytes(2), { method: 'PUT', path: `${API}/${target.id}` });
    await cutShort('revision disconnect', () => raw([head, body.subarray(0, body.length / 2)], { then: 'destroy' }));
  });

  it('a chunked upload that ends without its last chunk', async () => {
    const { boundary, body } = multipartBody({ content: megabytes(1) });
    const head = `POST ${API}?name=chunked HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ${token()}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const half = body.subarray(0, body.length / 2);
    await cutShort('chunked, cut', () => raw([head, `${half.length.toString(16)}\r\n`, half, '\r\n'], { then: 'end', timeoutMs: 3000 }));
  });
});

describe('afterwards', () => {
  it('GET /healthz is 200', async () => {
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200, await response.text());
  });

  it('an upload and download round trip works', async () => {
    const bytes = new Uint8Array(256 * 1024).map((_, index) => (index * 31) % 256);
    const created = await upload('?name=round-trip.bin', fileForm(bytes, 'round-trip.bin'));
    assert.equal(created.status, 200, created.body);
    const { dataFileId } = JSON.parse(created.body);
    const download = await api(server, token(), `${API}/${dataFileId}`);
    assert.equal(download.status, 200);
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), bytes);
  });

  it('no temporary file is left, and there is exactly one blob per stored revision', async () => {
    await eventually(async () => {
      assert.deepEqual(await tempFiles(), []);
      assert.equal((await blobFiles()).length, (await storedRevisions()).length);
    });
  });

  it('the server logged no internal error and is still running', () => {
    assert.equal(server.child.exitCode, null, 'the server exited');
    const internal = server
      .output()
      .split('\n')
      .filter((line) => /"level":(50|60)/.test(line));
    assert.deepEqual(internal, [], 'the server logged errors');
  });
});
