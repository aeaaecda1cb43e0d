// Issue 10 item 18: a refusal of a request whose body is still arriving must reach the client as
// its Domo-shaped 4xx, not as a reset under it. Before the fix, Node's fetch sending a 4 MiB body
// saw EPIPE or ECONNRESET instead of the answer: 13-20 times out of 20 for a 20,000-character name
// (431 from Node's parser), about half the time for a part over the size limit (413), a quarter
// for a 1,025-character name (400). Each refusal kind is sent 20 times with fetch and once over a
// raw socket (which says Connection: close), each with a body of a few MiB.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { API, api, startTestServer, type TestServer, type TestUser } from './support/server.js';
import { rawExchange, requestHead } from './support/rawHttp.js';
import { waitFor } from './support/stalls.js';
import { storedBytesOf } from './support/storedBytes.js';

const MiB = 1024 * 1024;
const BODY_BYTES = 4 * MiB;
const TRIES = 20;

let server: TestServer;
let owner: TestUser;
let reader: TestUser;
let fileId: number;
let sessionId: string;

/** A multipart form of BODY_BYTES with a `file` field, as bytes (so fetch and a raw socket send the same). */
function bigForm(): { body: Buffer; contentType: string } {
  const boundary = 'refusedbodyboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, Buffer.alloc(BODY_BYTES, 7), tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

interface Refusal {
  name: string;
  status: number;
  /** What the message must say (the limit it names, or why). */
  message: RegExp;
  method: 'POST' | 'PUT';
  path: () => string;
  token: () => string | undefined;
  form: boolean;
  /** The raw body's size, when not BODY_BYTES. */
  bytes?: number;
}

const refusals: Refusal[] = [
  {
    name: 'a 20,000-character name (over the old 16 KiB head limit): 400 naming the longest name',
    status: 400,
    message: /1024 characters/,
    method: 'POST',
    path: () => `${API}?name=${'n'.repeat(20_000)}`,
    token: () => owner.token,
    form: true,
  },
  {
    name: 'a URL over --max-header-bytes: 431 naming the limit',
    status: 431,
    message: /131072 bytes.*--max-header-bytes/,
    method: 'POST',
    path: () => `${API}?name=${'n'.repeat(200_000)}`,
    token: () => owner.token,
    form: true,
  },
  {
    name: 'a 1,025-character name: 400',
    status: 400,
    message: /1024 characters/,
    method: 'POST',
    path: () => `${API}?name=${'n'.repeat(1025)}`,
    token: () => owner.token,
    form: true,
  },
  { name: 'no token: 401', status: 401, message: /token/, method: 'POST', path: () => `${API}?name=anonymous`, token: () => undefined, form: true },
  {
    name: 'a revision by a reader: 403',
    status: 403,
    message: /permission/,
    method: 'PUT',
    path: () => `${API}/${fileId}`,
    token: () => reader.token,
    form: true,
  },
  {
    name: 'a file over --max-file-bytes: 413',
    status: 413,
    message: /1048576 bytes/,
    method: 'POST',
    path: () => `${API}?name=big`,
    token: () => owner.token,
    form: true,
  },
  {
    name: 'a part over --max-part-bytes: 413',
    status: 413,
    message: /1048576 bytes/,
    method: 'PUT',
    path: () => `${API}/multipart/${sessionId}/part/1`,
    token: () => owner.token,
    form: false,
  },
  // At the part limit (a larger part is refused by its length first, as above).
  {
    name: "a part to another user's session: 404",
    status: 404,
    message: /session/,
    method: 'PUT',
    path: () => `${API}/multipart/${sessionId}/part/1`,
    token: () => reader.token,
    form: false,
    bytes: MiB,
  },
  {
    name: 'a part with no token: 401',
    status: 401,
    message: /token/,
    method: 'PUT',
    path: () => `${API}/multipart/${sessionId}/part/1`,
    token: () => undefined,
    form: false,
  },
];

function assertRefusal(refusal: Refusal, status: number, body: string, what: string): void {
  assert.equal(status, refusal.status, `${what}: status ${status}, body ${body.slice(0, 300)}`);
  const json = JSON.parse(body);
  assert.equal(json.status, refusal.status, what);
  assert.equal(typeof json.statusReason, 'string', what);
  assert.equal(typeof json.toe, 'string', what);
  assert.match(json.message, refusal.message, what);
}

before(async () => {
  server = await startTestServer({ args: ['--max-file-bytes', String(MiB), '--max-part-bytes', String(MiB)] });
  owner = await server.addUser('owner');
  reader = await server.addUser('reader');
  const form = new FormData();
  form.append('file', new Blob(['small']), 'small.txt');
  const created = await api(server, owner.token, `${API}?name=shared.txt`, { method: 'POST', body: form });
  assert.equal(created.status, 200);
  fileId = (await created.json()).dataFileId;
  const shared = await api(server, owner.token, `${API}/${fileId}/permissions`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ entries: [{ entityType: 'USER', entityId: String(reader.id), grant: 'READ', pass: 'NONE' }] }),
  });
  assert.equal(shared.status, 200, await shared.text());
  const session = await api(server, owner.token, `${API}/multipart`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'parts.bin', contentType: 'application/octet-stream' }),
  });
  assert.equal(session.status, 200);
  sessionId = (await session.json()).sessionId;
});

after(async () => {
  await server?.cleanup();
});

describe('a refused request with a body of a few MiB hears why (issue 10 item 18)', () => {
  for (const refusal of refusals) {
    it(`${refusal.name}: fetch reads the answer ${TRIES} times out of ${TRIES}`, async () => {
      const failures: string[] = [];
      for (let attempt = 0; attempt < TRIES; attempt += 1) {
        const { body, contentType } = refusal.form
          ? bigForm()
          : { body: Buffer.alloc(refusal.bytes ?? BODY_BYTES, 3), contentType: 'application/octet-stream' };
        try {
          const response = await api(server, refusal.token(), refusal.path(), {
            method: refusal.method,
            body: new Uint8Array(body),
            headers: { 'content-type': contentType },
          });
          assertRefusal(refusal, response.status, await response.text(), `attempt ${attempt + 1}`);
        } catch (error) {
          const cause = (error as { cause?: { code?: string } }).cause;
          failures.push(`attempt ${attempt + 1}: ${cause?.code ?? (error as Error).message}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    it(`${refusal.name}: a raw socket that asks to close reads the answer`, async () => {
      const { body, contentType } = refusal.form ? bigForm() : { body: Buffer.alloc(refusal.bytes ?? BODY_BYTES, 3), contentType: 'application/octet-stream' };
      const token = refusal.token();
      const head = requestHead(refusal.method, refusal.path(), {
        ...(token ? { 'X-DOMO-Ryuu-Session': token } : {}),
        'Content-Type': contentType,
        'Content-Length': body.length,
      });
      const outcome = await rawExchange(server.url, [head, body], { timeoutMs: 20_000 });
      assert.ok(outcome.response, `no answer; received ${outcome.received.length} bytes`);
      assertRefusal(refusal, outcome.response.status, outcome.response.body.toString('utf8'), 'raw socket');
    });
  }

  it('keeps the connection for the next request when the refused body was read whole', async () => {
    // Two requests on one connection: the refused upload's body is drained, then a GET is answered.
    const { body, contentType } = bigForm();
    const first = requestHead('POST', `${API}?name=anonymous`, { 'Content-Type': contentType, 'Content-Length': body.length }).replace(
      'Connection: close\r\n',
      '',
    );
    const second = requestHead('GET', `${API}/${fileId}/details`, { 'X-DOMO-Ryuu-Session': owner.token });
    // Not half-closed after sending: Node drops pipelined requests once the client's side ends.
    const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {});
    socket.write(first);
    socket.write(body);
    socket.write(second);
    const text = () => Buffer.concat(received).toString('latin1');
    try {
      await waitFor('the answer to the second request', () => /"name":"shared\.txt"/.test(text()), 20_000);
    } finally {
      socket.destroy();
    }
    assert.match(text(), /^HTTP\/1\.1 401 /, text().slice(0, 200));
    assert.match(text(), /HTTP\/1\.1 200 /);
  });

  it('nothing was stored by any refusal, and the server still serves', async () => {
    const stored = storedBytesOf(server);
    try {
      assert.deepEqual(await stored.temporaries(), []);
      assert.equal((await stored.blobs()).length, 1);
    } finally {
      stored.close();
    }
    const details = await api(server, owner.token, `${API}/${fileId}/details`);
    assert.equal(details.status, 200);
  });
});
