// Issue 10, item 17: "A download of a multipart-assembled revision breaks mid-stream when that
// revision (or its file) is deleted while the download runs." A download that has started (its
// headers are out) must deliver the whole, correct bytes of the revision it started on; one that
// has not must fail before its headers with a clean, Domo-shaped 404. Runs on the backend
// DATAFILES_TEST_BACKEND names (embedded: SQLite + disk; scale-out: PostgreSQL + S3).
//
// Each round stores a file through the multipart API (many parts, so that on disk the download
// opens part files one after another), then races a download with a delete of the file or of
// the revision: the delete sent before the download, at the same moment, or once the download's
// headers and first bytes have arrived (the download then waits for the delete to finish before
// reading on: the case that broke).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { API, api, fileForm, startTestServer, type TestServer } from './support/server.js';

const ROUNDS = Number(process.env.DATAFILES_TEST_RACE_ROUNDS ?? 24);
const PARTS = 12;
const PART_BYTES = 2 * 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').toUpperCase();

describe('a download racing the delete of its revision or file', () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startTestServer({ env: { DATAFILES_LOG_LEVEL: 'warn' } });
    token = server.adminToken;
  });
  after(async () => server?.cleanup());

  const postJson = (path: string, body: unknown) =>
    api(server, token, `${API}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** A multipart-assembled file; returns its id, its revision and the bytes. */
  const assembledFile = async (name: string): Promise<{ fileId: number; revisionId: number; bytes: Buffer }> => {
    const created = await postJson('/multipart', { name, contentType: 'application/octet-stream' });
    assert.equal(created.status, 200);
    const { sessionId } = (await created.json()) as { sessionId: string };
    const parts = Array.from({ length: PARTS }, () => randomBytes(PART_BYTES));
    await Promise.all(
      parts.map(async (bytes, position) => {
        const stored = await api(server, token, `${API}/multipart/${sessionId}/part/${position + 1}`, { method: 'PUT', body: bytes as BodyInit });
        assert.equal(stored.status, 200, await stored.text());
      }),
    );
    const committed = await postJson(`/multipart/${sessionId}/commit`, {});
    assert.equal(committed.status, 200);
    const { dataFileId, revisionId } = (await committed.json()) as { dataFileId: number; revisionId: number };
    return { fileId: dataFileId, revisionId, bytes: Buffer.concat(parts) };
  };

  it(`in ${ROUNDS} rounds, every started download delivers the whole revision, and every other one is a clean 404`, async () => {
    const outcomes = { whole: 0, notFound: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const { fileId, revisionId, bytes } = await assembledFile(`race-${round}.bin`);
      // Odd rounds delete the revision (the file keeps a newer one), even rounds the whole file.
      const byRevision = round % 2 === 1;
      if (byRevision) {
        const newer = await api(server, token, `${API}/${fileId}`, { method: 'PUT', body: fileForm('newer', 'newer.txt') });
        assert.equal(newer.status, 200, await newer.text());
      }
      const target = byRevision ? `${API}/${fileId}/revisions/${revisionId}` : `${API}/${fileId}`;
      const download = () => api(server, token, byRevision ? target : `${API}/${fileId}`);
      const remove = async () => {
        const removed = await api(server, token, target, { method: 'DELETE' });
        assert.ok(removed.status === 200 || removed.status === 204, `the delete: ${removed.status} ${await removed.text()}`);
      };

      const timing = Math.floor(round / 2) % 3;
      let response: Response;
      let deleted: Promise<void> | undefined;
      if (timing === 0) {
        await remove();
        response = await download();
      } else if (timing === 1) {
        [response] = await Promise.all([download(), (deleted = remove())]);
      } else {
        response = await download();
      }

      if (response.status !== 200) {
        const body = (await response.json()) as Record<string, unknown>;
        assert.equal(response.status, 404, `round ${round}: ${JSON.stringify(body)}`);
        assert.deepEqual(Object.keys(body).sort(), ['message', 'status', 'statusReason', 'toe']);
        outcomes.notFound += 1;
        await deleted;
        continue;
      }
      assert.equal(response.headers.get('content-length'), String(bytes.length));
      const reader = response.body!.getReader();
      const hash = createHash('sha256');
      let received = 0;
      const first = await reader.read();
      if (!first.done) {
        hash.update(first.value);
        received += first.value.length;
      }
      // Headers and first bytes are here: now the revision goes, before the rest is read.
      if (timing === 2) await remove();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          hash.update(value);
          received += value.length;
        }
      } catch (error) {
        assert.fail(
          `round ${round} (${byRevision ? 'revision' : 'file'} deleted, timing ${timing}): the download broke after ${received} of ${bytes.length} bytes: ${String(error)}`,
        );
      }
      await deleted;
      assert.equal(received, bytes.length, `round ${round}: every byte`);
      assert.equal(hash.digest('hex').toUpperCase(), sha256(bytes), `round ${round}: the bytes of the revision it started on`);
      outcomes.whole += 1;
      // Gone afterwards, for everyone.
      assert.equal((await download()).status, 404);
    }
    process.stdout.write(`# whole downloads: ${outcomes.whole}, clean 404s: ${outcomes.notFound}\n`);
  });
});
