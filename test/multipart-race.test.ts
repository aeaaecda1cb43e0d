// Issue 10, item 14: "a part replaced through one server while another commits the same session
// can store a wrong whole-file hash." Three servers on one PostgreSQL + S3; in each round a
// session's part 2 is replaced (same size, other bytes) through one server while another commits
// it, and a third reads the result. docs/decisions.md 50: once the commit's compare-and-set has
// moved the session to COMMITTING its parts are fixed (a part arriving later is refused with a
// Domo-shaped 409) and the commit assembles exactly the versions it recorded. So in every round:
//   - the commit succeeds, and the stored SHA-256 and size are those of the stored bytes;
//   - the part upload either answered 200, and then the file holds the new part 2 (it was
//     recorded before the compare-and-set), or 409 SESSION_CLOSED, and the file holds the old one.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { provisionScaleOut, type BackendResources } from './support/backend.js';
import { sha256Hex } from './support/bytes.js';
import { API, api, startTestServer, type TestServer } from './support/server.js';

const ROUNDS = Number(process.env.DATAFILES_TEST_RACE_ROUNDS ?? 40);
const PART_BYTES = 256 * 1024;

describe('a part replaced while another server commits the session (PostgreSQL + S3, three servers)', () => {
  let backend: BackendResources;
  const servers: TestServer[] = [];
  const token = randomBytes(24).toString('base64url');

  before(async () => {
    backend = await provisionScaleOut();
    const started = await Promise.allSettled([0, 1, 2].map(() => startTestServer({ backend, adminToken: token, env: { DATAFILES_LOG_LEVEL: 'warn' } })));
    servers.push(...started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])));
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  });

  after(async () => {
    await Promise.allSettled(servers.map((server) => server.cleanup()));
    await backend?.release();
  });

  const postJson = (server: TestServer, path: string, body: unknown) =>
    api(server, token, `${API}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const putPart = (server: TestServer, sessionId: string, index: number, bytes: Uint8Array): Promise<Response> =>
    api(server, token, `${API}/multipart/${sessionId}/part/${index}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes as BodyInit,
    });

  it(`in ${ROUNDS} rounds, the stored hash is always the hash of the stored bytes, and the loser fails cleanly`, async () => {
    const outcomes = { partFirst: 0, partRefused: 0, cutOff: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const [committer, replacer, reader] = [servers[round % 3], servers[(round + 1) % 3], servers[(round + 2) % 3]];
      const parts = [randomBytes(PART_BYTES), randomBytes(PART_BYTES), randomBytes(PART_BYTES)];
      const replacement = randomBytes(PART_BYTES);
      const created = await postJson(committer, '/multipart', { name: `race-${round}.bin`, contentType: 'application/octet-stream' });
      assert.equal(created.status, 200);
      const { sessionId } = (await created.json()) as { sessionId: string };
      for (const [position, bytes] of parts.entries()) {
        const stored = await putPart(servers[position], sessionId, position + 1, bytes);
        assert.equal(stored.status, 200, await stored.text());
      }

      // The replacement streams all but its last byte, then waits: released before the commit is
      // sent, just after, or once another server reports the session COMMITTING (so the part's
      // bytes land while the commit runs, the case the issue describes).
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(replacement.subarray(0, PART_BYTES - 1));
          await released;
          controller.enqueue(replacement.subarray(PART_BYTES - 1));
          controller.close();
        },
      });
      const replacing = api(replacer, token, `${API}/multipart/${sessionId}/part/2`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body,
        duplex: 'half',
      } as RequestInit).catch((error: unknown) => error);
      const mode = round % 3;
      if (mode === 0) release();
      const committing = postJson(committer, `/multipart/${sessionId}/commit`, {});
      if (mode === 1) release();
      if (mode === 2) {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const view = (await (await api(reader, token, `${API}/multipart/${sessionId}`)).json()) as { state: string };
          if (view.state !== 'OPEN' || Date.now() > deadline) break;
        }
        release();
      }
      const [replaced, committed] = await Promise.all([replacing, committing]);

      const commitBody = (await committed.json()) as { dataFileId: number; revisionId: number };
      assert.equal(committed.status, 200, `round ${round}: the commit ${JSON.stringify(commitBody)}`);
      if (!(replaced instanceof Response)) {
        // Refused before its body was read (the request reached its server after the commit had
        // begun): the server answers 409 and closes, and fetch, still sending, sees the connection
        // go instead (issue 10, item 18). It lost all the same: checked below by the stored bytes.
        outcomes.partRefused += 1;
        outcomes.cutOff += 1;
      } else if (replaced.status === 200) {
        outcomes.partFirst += 1;
      } else {
        outcomes.partRefused += 1;
        const replacedBody = (await replaced.json()) as Record<string, unknown>;
        assert.equal(replaced.status, 409, `round ${round}: the part upload ${JSON.stringify(replacedBody)}`);
        assert.deepEqual(Object.keys(replacedBody).sort(), ['message', 'status', 'statusReason', 'toe'], 'a Domo-shaped error');
      }

      const details = await api(reader, token, `${API}/${commitBody.dataFileId}/details`);
      const file = (await details.json()) as { currentRevision: { sizeBytes: number; sha256HashValue: string } };
      const download = await api(reader, token, `${API}/${commitBody.dataFileId}`);
      assert.equal(download.status, 200);
      const bytes = Buffer.from(await download.arrayBuffer());
      const stored = createHash('sha256').update(bytes).digest('hex').toUpperCase();
      assert.equal(file.currentRevision.sha256HashValue, stored, `round ${round}: the recorded hash is the hash of the stored bytes`);
      assert.equal(file.currentRevision.sizeBytes, bytes.length);
      const partWon = replaced instanceof Response && replaced.status === 200;
      const expectedPart2 = partWon ? replacement : parts[1];
      assert.equal(
        stored,
        sha256Hex(Buffer.concat([parts[0], expectedPart2, parts[2]])),
        `round ${round}: part 2 is the ${partWon ? 'replacement' : 'original'}`,
      );
    }
    // Both outcomes should occur over the rounds; reported for the record, not asserted (timing).
    process.stdout.write(
      `# part recorded before the commit: ${outcomes.partFirst}, refused as the commit had begun: ${outcomes.partRefused} (${outcomes.cutOff} cut off)\n`,
    );
  });
});
