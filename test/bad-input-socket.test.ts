// Malformed and hostile requests at the socket level (raw bytes: bad framing, smuggling, uploads
// cut short), split from test/bad-input.test.ts, whose header says what every refusal must be.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  target,
  fromRaw,
  assertDomoError,
  storedRevisions,
  assertNothingLeftBehind,
  token,
  get,
  raw,
  runCases,
  useBadInputServer,
  describeAfterwards,
} from './support/badInput.js';
import { multipartBody, requestHead, type RawOutcome } from './support/rawHttp.js';
import { API } from './support/server.js';

useBadInputServer();

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
    {
      name: 'HTTP/1.1 request without Host',
      expect: 400,
      send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nX-DOMO-Ryuu-Session: ${token()}\r\n\r\n`])),
    },
    {
      name: 'two Host headers',
      expect: 400,
      send: async () => fromRaw(await raw([`GET ${API}/details HTTP/1.1\r\nHost: a\r\nHost: b\r\nX-DOMO-Ryuu-Session: ${token()}\r\n\r\n`])),
    },
    { name: 'method that is not a token', expect: 400, send: async () => fromRaw(await raw([`G(T /healthz HTTP/1.1\r\nHost: x\r\n\r\n`])) },
    {
      name: 'Content-Length and Transfer-Encoding together (smuggling)',
      expect: 400,
      storesNothing: true,
      send: async () =>
        fromRaw(
          await raw([
            `POST ${API}?name=smuggled HTTP/1.1\r\nHost: x\r\nX-DOMO-Ryuu-Session: ${token()}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
          ]),
        ),
    },
    {
      name: 'a GET with a body, to a bad id',
      expect: 400,
      send: async () =>
        fromRaw(
          await raw([
            requestHead('GET', `${API}/abc/details`, { 'X-DOMO-Ryuu-Session': token(), 'Content-Type': 'application/json', 'Content-Length': 7 }) + '{"a":1}',
          ]),
        ),
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

describe('afterwards', describeAfterwards);
