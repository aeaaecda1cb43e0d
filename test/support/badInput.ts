// The server, the answers and the checks shared by test/bad-input.test.ts and
// test/bad-input-socket.test.ts (malformed and hostile requests, split by where they are sent: the
// routes, or the socket). Each test file starts its own server with useBadInputServer().
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser } from './server.js';
import { rawExchange, type RawOutcome } from './rawHttp.js';
import { storedBytesOf, type StoredBytes } from './storedBytes.js';

export let server: TestServer;
export let mallory: TestUser;
/** A file mallory owns, for the routes that need one. */
export let target: { id: number; revisionId: number; content: string };

// ---------------------------------------------------------------------------------------------
// Answers, from fetch or from a raw socket, and the checks every refusal must pass.

export interface Answer {
  status: number;
  header(name: string): string | undefined;
  body: string;
}

export async function fromFetch(response: Response): Promise<Answer> {
  return { status: response.status, header: (name) => response.headers.get(name) ?? undefined, body: await response.text() };
}

export function fromRaw(outcome: RawOutcome): Answer | undefined {
  const response = outcome.response;
  if (!response) return undefined;
  return { status: response.status, header: (name) => response.headers[name.toLowerCase()], body: response.body.toString('utf8') };
}

/** A 4xx in the expected set, with a JSON body in Domo's shape whose toe is X-Request-Id. */
export function assertDomoError(answer: Answer | undefined, expected: number | readonly number[], what: string): void {
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

export async function storedRevisions(): Promise<string[]> {
  const response = await api(server, server.adminToken, `${API}/details?expand=revisions`);
  assert.equal(response.status, 200);
  const files = (await response.json()) as { dataFileId: number; name: string; revisions: { dataFileRevisionId: number }[] }[];
  return files.flatMap((file) => file.revisions.map((revision) => `${file.dataFileId}/${revision.dataFileRevisionId}`)).sort();
}

// Blobs and temporaries on whichever backend the server runs (disk files, or S3 objects).
export let stored: StoredBytes;
export const tempFiles = () => stored.temporaries();
export const blobFiles = () => stored.blobs();

/** Waits (the server cleans up after a vanished client asynchronously) until `check` passes. */
export async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
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
export async function assertNothingLeftBehind(revisionsBefore: string[], what: string): Promise<void> {
  await eventually(async () => {
    assert.deepEqual(await storedRevisions(), revisionsBefore, `${what}: the stored files changed`);
    assert.deepEqual(await tempFiles(), [], `${what}: temporary files remain`);
    assert.equal((await blobFiles()).length, revisionsBefore.length, `${what}: blob count ≠ revision count`);
  });
}

// ---------------------------------------------------------------------------------------------
// Request builders.

export const token = () => mallory.token;
export const get = (pathAndQuery: string, headers: Record<string, string> = {}) => api(server, token(), pathAndQuery, { headers }).then(fromFetch);
export const upload = (query: string, body: BodyInit, headers: Record<string, string> = {}) =>
  api(server, token(), `${API}${query}`, { method: 'POST', body, headers }).then(fromFetch);
export const putPermissions = (body: BodyInit | undefined, contentType: string | undefined = 'application/json') =>
  api(server, token(), `${API}/${target.id}/permissions`, { method: 'PUT', body, headers: contentType ? { 'content-type': contentType } : {} }).then(fromFetch);
export const raw = (chunks: (string | Buffer)[], options?: Parameters<typeof rawExchange>[2]) => rawExchange(server.url, chunks, options);
export const entry = (overrides: Record<string, unknown> = {}) => ({
  entityType: 'USER',
  entityId: String(mallory.id),
  grant: 'READ_WRITE_DELETE_SHARE_ADMIN',
  pass: 'NONE',
  ...overrides,
});

export interface Case {
  name: string;
  expect: number | readonly number[];
  send(): Promise<Answer | undefined>;
  /** Refused uploads: no file and no revision may appear, and no blob or temporary file. */
  storesNothing?: boolean;
  /** More to check on the answer. */
  check?(answer: Answer): void | Promise<void>;
}

export function runCases(cases: Case[]): void {
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

export const form = () => fileForm('form bytes', 'form.txt', 'text/plain');

/** Starts the server (and mallory's target file) before the file's tests; stops it after. */
export function useBadInputServer(): void {
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
}

/** After every refusal: the server still serves, logged no internal error, and left nothing behind. */
export function describeAfterwards(): void {
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
}
