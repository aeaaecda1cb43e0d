// Issue: "Memory stays flat whatever the file size (a 2 GiB upload must not raise RSS by more than
// ~64 MiB; show it)." The upload streams a generated body, so neither side could buffer it
// without the server's RSS showing it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatedBytes, streamedForm, toWebStream } from './support/generatedBody.js';
import { memoryOf, MiB, sampleRss } from './support/processMemory.js';
import { api, startTestServer, type TestServer } from './support/server.js';

const SIZE = 2 * 1024 * MiB;
const ALLOWED_GROWTH = 64 * MiB;

describe('a 2 GiB single upload', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { DATAFILES_LOG_LEVEL: 'warn' } });
  });
  after(async () => server?.cleanup());

  it('streams through the server with flat memory and exact hashes', async () => {
    // Warm up the code paths once so the baseline includes everything a first upload loads.
    const warmUp = streamedForm(generatedBytes(4 * MiB).chunks(), 'warm.bin');
    const warm = await api(server, server.adminToken, '/domo/data-files/v1?name=warm', {
      method: 'POST',
      headers: { 'content-type': warmUp.contentType },
      body: toWebStream(warmUp.body()),
      duplex: 'half',
    } as RequestInit);
    assert.equal(warm.status, 200);

    const pid = server.child.pid!;
    const baseline = (await memoryOf(pid)).rssBytes;
    const sampler = sampleRss(pid);
    const content = generatedBytes(SIZE);
    const form = streamedForm(content.chunks(), 'big.bin');
    const started = Date.now();
    const response = await api(server, server.adminToken, '/domo/data-files/v1?name=big.bin', {
      method: 'POST',
      headers: { 'content-type': form.contentType },
      body: toWebStream(form.body()),
      duplex: 'half',
    } as RequestInit);
    const seconds = (Date.now() - started) / 1000;
    const highest = await sampler.stop();
    assert.equal(response.status, 200, await response.clone().text());
    const { dataFileId } = (await response.json()) as { dataFileId: number };

    const details = (await (await api(server, server.adminToken, `/domo/data-files/v1/${dataFileId}/details`)).json()) as any;
    const expected = content.digests();
    assert.equal(details.currentRevision.sizeBytes, SIZE);
    assert.equal(details.currentRevision.sha256HashValue, expected.sha256);
    assert.equal(details.currentRevision.md5Hash, expected.md5);

    const growth = highest - baseline;
    console.log(
      `2 GiB upload: ${(SIZE / MiB / seconds).toFixed(0)} MiB/s, server RSS ${(baseline / MiB).toFixed(0)} MiB → peak ${(highest / MiB).toFixed(0)} MiB (growth ${(growth / MiB).toFixed(1)} MiB)`,
    );
    assert.ok(growth < ALLOWED_GROWTH, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  });
});
