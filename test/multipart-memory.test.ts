// Issue #3, item 7 / memory: a 1 GiB multipart upload in 16 MiB parts, 4 in flight, is streamed to
// storage and hashed without holding it: the server's resident memory grows by less than 100 MiB.
// Measured on the server process from /proc/<pid>/status (VmRSS now, VmHWM the peak), against a
// baseline taken after a small multipart upload has warmed the same paths (hashing threads,
// database statements). Linux only (it reads /proc). Run alone: node --import tsx --test test/multipart-memory.test.ts
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { API, api, startTestServer, type TestServer, type TestUser } from './support/server.js';

const MiB = 1024 * 1024;
const PART_BYTES = 16 * MiB;
const PARTS = 64; // 1 GiB
const IN_FLIGHT = 4;
const MAX_GROWTH_MIB = 100;

let server: TestServer;
let alice: TestUser;

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
});
after(() => server?.cleanup());

/** VmRSS and VmHWM of a process, in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Part `index` of the test file: one random block, made distinct per part (no 1 GiB in the test process either). */
const block = randomBytes(PART_BYTES);
function partBytes(index: number): Buffer {
  const bytes = Buffer.from(block);
  bytes.writeUInt32BE(index, 0);
  bytes.writeUInt32BE((index * 2_654_435_761) >>> 0, PART_BYTES - 4);
  return bytes;
}

async function uploadInParts(name: string, parts: number): Promise<number> {
  const created = await api(server, alice.token, `${API}/multipart`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, contentType: 'application/octet-stream' }),
  });
  const { sessionId } = (await created.json()) as { sessionId: string };
  let next = 1;
  const sender = async () => {
    for (let index = next++; index <= parts; index = next++) {
      const response = await api(server, alice.token, `${API}/multipart/${sessionId}/part/${index}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: partBytes(index) as BodyInit,
      });
      assert.equal(response.status, 200, await response.text());
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
  const committed = await api(server, alice.token, `${API}/multipart/${sessionId}/commit`, { method: 'POST' });
  assert.equal(committed.status, 200, await committed.clone().text());
  return ((await committed.json()) as { dataFileId: number }).dataFileId;
}

it(
  `a 1 GiB upload in 16 MiB parts, ${IN_FLIGHT} in flight, grows the server's memory by less than ${MAX_GROWTH_MIB} MiB`,
  { skip: !existsSync('/proc/self/status') && 'needs /proc', timeout: 10 * 60_000 },
  async (t) => {
    const pid = server.child.pid!;
    await uploadInParts('warm-up.bin', 1);
    const baseline = memoryOf(pid);

    const dataFileId = await uploadInParts('one-gibibyte.bin', PARTS);
    const afterUpload = memoryOf(pid);

    const rssGrowth = afterUpload.rss - baseline.rss;
    const peakGrowth = afterUpload.peak - baseline.peak;
    t.diagnostic(
      `server RSS ${baseline.rss.toFixed(1)} → ${afterUpload.rss.toFixed(1)} MiB (+${rssGrowth.toFixed(1)}); peak ${baseline.peak.toFixed(1)} → ${afterUpload.peak.toFixed(1)} MiB (+${peakGrowth.toFixed(1)})`,
    );

    const expected = createHash('sha256');
    for (let index = 1; index <= PARTS; index++) expected.update(partBytes(index));
    const details = (await (await api(server, alice.token, `${API}/${dataFileId}/details`)).json()) as {
      currentRevision: { sizeBytes: number; sha256HashValue: string };
    };
    assert.equal(details.currentRevision.sizeBytes, PARTS * PART_BYTES);
    assert.equal(details.currentRevision.sha256HashValue, expected.digest('hex').toUpperCase());

    assert.ok(rssGrowth < MAX_GROWTH_MIB, `RSS grew by ${rssGrowth.toFixed(1)} MiB`);
    assert.ok(peakGrowth < MAX_GROWTH_MIB, `peak RSS grew by ${peakGrowth.toFixed(1)} MiB`);
  },
);
