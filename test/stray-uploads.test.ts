// Found by the fault history (test/fault-history.test.ts): opening an upload session stages the
// upload in the blob store before the session row is written, so a server killed between the two
// (or an object store that completes the create after the server gave up on it) left a staged
// upload no session names, which no sweep removed (`datafiles verify` reported it as a stray
// upload until --repair). The server's start-up and hourly sweep now aborts such uploads once
// older than --orphan-grace-ms (docs/decisions.md 141), and keeps every upload a session names.
// Both backends: disk + SQLite, S3 + PostgreSQL.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { openBlobInventory, openBlobStore } from '../src/server/openStores.js';
import { provisionBackend, type Backend } from './support/backend.js';
import { API, api, startTestServer, type TestServer } from './support/server.js';
import { storageOf } from './support/expiredSessions.js';
import { waitFor } from './support/waitFor.js';

async function stagedUploads(server: TestServer): Promise<string[]> {
  const inventory = await openBlobInventory(storageOf(server));
  try {
    const ids: string[] = [];
    for await (const upload of inventory.uploads()) ids.push(upload.uploadId);
    return ids.sort();
  } finally {
    inventory.close?.();
  }
}

for (const backend of ['embedded', 'scale-out'] as Backend[]) {
  describe(`staged uploads no session names are swept (${backend})`, () => {
    it('a restarted server aborts the stray upload and keeps the open session, which still commits', async () => {
      const args = ['--orphan-grace-ms', '0'];
      const first = await startTestServer({ backend: await provisionBackend(backend), args });
      let second: TestServer | undefined;
      try {
        const json = { 'content-type': 'application/json' };
        const created = await api(first, first.adminToken, `${API}/multipart`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ name: 'kept.bin', contentType: 'application/octet-stream' }),
        });
        assert.equal(created.status, 200, await created.clone().text());
        const { sessionId } = (await created.json()) as { sessionId: string };
        const part = await api(first, first.adminToken, `${API}/multipart/${sessionId}/part/1`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: 'the part that stays',
        });
        assert.equal(part.status, 200);
        // What a server killed between staging an upload and writing its session row leaves.
        const blobs = await openBlobStore(storageOf(first));
        let stray: string;
        try {
          ({ uploadId: stray } = await blobs.createUpload());
          await blobs.putPart({ uploadId: stray, index: 1, body: Readable.from([Buffer.from('stray part')]), sizeBytes: 10 });
        } finally {
          await blobs.close();
        }
        const before = await stagedUploads(first);
        assert.equal(before.length, 2);
        assert.ok(before.includes(stray));
        await first.stop();

        second = await startTestServer({ dataDir: first.dataDir, backend: first.backend, args });
        await waitFor(async () => (await stagedUploads(second!)).length === 1, { what: 'the start-up sweep to abort the stray upload', timeoutMs: 20_000 });
        assert.ok(!(await stagedUploads(second)).includes(stray));
        const committed = await api(second, second.adminToken, `${API}/multipart/${sessionId}/commit`, { method: 'POST', headers: json, body: '{}' });
        assert.equal(committed.status, 200, await committed.clone().text());
        const { dataFileId } = (await committed.json()) as { dataFileId: number };
        assert.equal(await (await api(second, second.adminToken, `${API}/${dataFileId}`)).text(), 'the part that stays');
        assert.deepEqual(await stagedUploads(second), []);
      } finally {
        await second?.kill();
        await first.cleanup();
        await first.backend.release();
      }
    });
  });
}
