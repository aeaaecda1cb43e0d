// Issue 14: virus scanning with a real clamd (scripts/services/start-clamd.sh) and the real server.
// New revisions go PENDING -> SAFE | INFECTED | FAILED in the background; an INFECTED revision is
// never served (GET, HEAD, Range, both API prefixes, current or given revision); safe-only serves
// only SAFE; a stopped or frozen clamd delays scans without hanging a request or losing a job.
// Both backends: test/scale-out/scanning.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { API_PREFIXES } from '../src/http/app.js';
import { EICAR, ensureClamd, restartClamd, startPrivateClamd, stopClamd, type ClamdSettings } from './support/clamd.js';
import { eventually, scanStateOf, upload, waitForScanState, zipOf } from './support/scanning.js';
import { API, api, startTestServer, type TestServer, type TestUser } from './support/server.js';

const MiB = 1024 * 1024;

/** Every download route of a file's current revision and of `revisionId`, both prefixes, GET/HEAD/Range. */
function downloadRequests(fileId: number, revisionId: number): Array<{ what: string; path: string; init: RequestInit }> {
  return API_PREFIXES.flatMap((prefix) =>
    [`${prefix}/${fileId}`, `${prefix}/${fileId}/revisions/${revisionId}`].flatMap((path) => [
      { what: `GET ${path}`, path, init: {} },
      { what: `HEAD ${path}`, path, init: { method: 'HEAD' } },
      { what: `GET ${path} (Range)`, path, init: { headers: { range: 'bytes=0-9' } } },
      { what: `GET ${path}?download=true`, path: `${path}?download=true`, init: {} },
    ]),
  );
}

async function assertRefused(server: TestServer, user: TestUser, fileId: number, revisionId: number, status: number, message: RegExp): Promise<void> {
  for (const request of downloadRequests(fileId, revisionId)) {
    const response = await api(server, user.token, request.path, request.init);
    assert.equal(response.status, status, request.what);
    if (request.init.method === 'HEAD') continue;
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.status, status, request.what);
    assert.equal(typeof body.statusReason, 'string');
    assert.equal(typeof body.toe, 'string');
    assert.match(String(body.message), message, request.what);
  }
}

async function multipartUpload(server: TestServer, user: TestUser, name: string, parts: Buffer[]): Promise<number> {
  const post = (path: string, body: unknown) =>
    api(server, user.token, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const created = await post(`${API}/multipart`, { name, contentType: 'application/octet-stream' });
  assert.equal(created.status, 200, await created.clone().text());
  const { sessionId } = (await created.json()) as { sessionId: string };
  for (const [i, part] of parts.entries()) {
    const put = await api(server, user.token, `${API}/multipart/${sessionId}/part/${i + 1}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: part as BodyInit,
    });
    assert.equal(put.status, 200, await put.text());
  }
  const committed = await post(`${API}/multipart/${sessionId}/commit`, {});
  assert.equal(committed.status, 200, await committed.clone().text());
  return ((await committed.json()) as { dataFileId: number }).dataFileId;
}

describe('virus scanning with clamd (issue 14)', { timeout: 300_000 }, () => {
  describe('block-infected (the default policy), shared clamd', () => {
    let server: TestServer;
    let alice: TestUser;
    before(async () => {
      const clamd = await ensureClamd();
      server = await startTestServer({ args: ['--clamd', clamd.tcpUrl, '--scan-max-bytes', String(MiB)] });
      alice = await server.addUser('alice');
    });
    after(() => server?.cleanup());

    it('a clean upload is PENDING or already SAFE at once, then SAFE, and is served', async () => {
      const bytes = randomBytes(200_000);
      const { fileId } = await upload(server, alice, bytes, 'clean.bin');
      assert.match(await scanStateOf(server, alice, fileId), /^(PENDING|SAFE)$/);
      await waitForScanState(server, alice, fileId, 'SAFE');
      const got = await api(server, alice.token, `${API}/${fileId}`);
      assert.equal(got.status, 200);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), bytes);
    });

    it('EICAR, alone and inside a zip (stored and deflated), is INFECTED and refused on every download route with a 403', async () => {
      const padded = Buffer.concat([Buffer.from('report line\n'.repeat(500)), EICAR, Buffer.from('\nend\n')]);
      const uploads = [
        { name: 'eicar.com', bytes: EICAR },
        { name: 'stored.zip', bytes: zipOf('inside/eicar.txt', padded, 'stored') },
        { name: 'deflated.zip', bytes: zipOf('inside/eicar.txt', padded, 'deflated') },
      ];
      assert.equal(uploads[2].bytes.includes(EICAR), false, 'the deflated archive hides EICAR from a plain byte search');
      for (const { name, bytes } of uploads) {
        const { fileId, revisionId } = await upload(server, alice, bytes, name);
        await waitForScanState(server, alice, fileId, 'INFECTED');
        await assertRefused(server, alice, fileId, revisionId, 403, /malware/);
      }
    });

    it('an INFECTED file is neither copied nor duplicated (Product API), on either path', async () => {
      const infected = await upload(server, alice, EICAR, 'copy-me.com');
      await waitForScanState(server, alice, infected.fileId, 'INFECTED');
      const target = await upload(server, alice, randomBytes(1000), 'target.bin');
      for (const prefix of API_PREFIXES) {
        for (const path of [`${prefix}/${infected.fileId}/duplicate`, `${prefix}/copy/${infected.fileId}/revisions/current/${target.fileId}`]) {
          const refused = await api(server, alice.token, path, { method: 'POST' });
          assert.equal(refused.status, 403, path);
          assert.match(String(((await refused.json()) as { message: unknown }).message), /malware/, path);
        }
      }
      const details = (await (await api(server, alice.token, `${API}/${target.fileId}/details?expand=revisions`)).json()) as { revisions: unknown[] };
      assert.equal(details.revisions.length, 1, 'the target has no new revision');
    });

    it('a multipart upload whose EICAR string straddles two parts is INFECTED; deleting it works as usual', async () => {
      const half = EICAR.length / 2;
      const first = Buffer.concat([randomBytes(64 * 1024).fill(0x61), EICAR.subarray(0, half)]);
      const second = Buffer.concat([EICAR.subarray(half), Buffer.alloc(1000, 0x62)]);
      assert.equal(first.includes(EICAR) || second.includes(EICAR), false);
      const fileId = await multipartUpload(server, alice, 'parts.bin', [first, second]);
      await waitForScanState(server, alice, fileId, 'INFECTED');
      const details = (await (await api(server, alice.token, `${API}/${fileId}/details`)).json()) as { currentRevision: { dataFileRevisionId: number } };
      await assertRefused(server, alice, fileId, details.currentRevision.dataFileRevisionId, 403, /malware/);
      const deleted = await api(server, alice.token, `${API}/${fileId}`, { method: 'DELETE' });
      assert.ok(deleted.status === 200 || deleted.status === 204, String(deleted.status));
      assert.equal((await api(server, alice.token, `${API}/${fileId}/details`)).status, 404);
    });

    it("datafiles scan status shows the queue, counts and a file's scans (signature, time, engine); scan rescan queues them again", async () => {
      const clamd = await ensureClamd();
      const { fileId, revisionId } = await upload(server, alice, EICAR, 'status.com');
      await waitForScanState(server, alice, fileId, 'INFECTED');
      const status = await server.cli(['scan', 'status', '--file', String(fileId), '--clamd', clamd.tcpUrl]);
      assert.equal(typeof status.queueDepth, 'number');
      assert.ok(status.byState.INFECTED >= 1);
      assert.match(status.engine, /^ClamAV /);
      assert.equal(status.revisions.length, 1);
      const [scan] = status.revisions;
      assert.equal(scan.revisionId, revisionId);
      assert.equal(scan.scanState, 'INFECTED');
      assert.match(scan.signature, /^Eicar-Test-Signature/);
      assert.match(scan.engine, /^ClamAV /);
      assert.ok(Math.abs(scan.scannedAt - Date.now()) < 120_000);
      assert.deepEqual(await server.cli(['scan', 'rescan', '--file', String(fileId)]), { queued: 1 });
      // PENDING again, then scanned again: a newer scan time, INFECTED again.
      const again = await eventually('the rescan', async () => {
        const [record] = (await server.cli(['scan', 'status', '--file', String(fileId)])).revisions;
        return record.scanState !== 'PENDING' && record.scannedAt > scan.scannedAt ? record : undefined;
      });
      assert.equal(again.scanState, 'INFECTED');
    });

    it('GET /metrics counts scans by result, their latency, the queue depth and revisions by state', async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(text, /^datafiles_scans_total\{result="INFECTED"\} [1-9]/m);
      assert.match(text, /^datafiles_scans_total\{result="SAFE"\} [1-9]/m);
      assert.match(text, /^datafiles_scan_duration_seconds_count\{result="SAFE"\} [1-9]/m);
      assert.match(text, /^datafiles_scan_queue_depth \d+$/m);
      assert.match(text, /^datafiles_scan_revisions\{state="INFECTED"\} [1-9]/m);
    });

    it('an infected new revision is refused while the older clean one is still served by id', async () => {
      const { fileId, revisionId: cleanRevision } = await upload(server, alice, Buffer.from('clean first revision\n'), 'two.txt');
      await waitForScanState(server, alice, fileId, 'SAFE');
      const form = new FormData();
      form.append('file', new Blob([EICAR]), 'two.txt');
      assert.equal((await api(server, alice.token, `${API}/${fileId}`, { method: 'PUT', body: form })).status, 200);
      await waitForScanState(server, alice, fileId, 'INFECTED');
      assert.equal((await api(server, alice.token, `${API}/${fileId}`)).status, 403);
      assert.equal((await api(server, alice.token, `${API}/${fileId}/revisions/${cleanRevision}`)).status, 200);
    });

    it('a revision above --scan-max-bytes is FAILED (too large), never SAFE, and still served under block-infected', async () => {
      const { fileId } = await upload(server, alice, randomBytes(MiB + 1), 'big.bin');
      await waitForScanState(server, alice, fileId, 'FAILED');
      assert.equal((await api(server, alice.token, `${API}/${fileId}`)).status, 200);
    });
  });

  describe('safe-only, a clamd that stops, freezes and has a small StreamMaxLength', () => {
    let clamd: ClamdSettings;
    let server: TestServer;
    let alice: TestUser;
    before(async () => {
      clamd = await startPrivateClamd({ streamMax: '1M' });
      server = await startTestServer({
        args: ['--clamd', clamd.tcpUrl, '--scan-policy', 'safe-only', '--scan-timeout-ms', '1000', '--scan-retry-ms', '100', '--scan-max-attempts', '3'],
      });
      alice = await server.addUser('alice');
    });
    after(async () => {
      await server?.cleanup();
      await stopClamd(clamd).catch(() => {});
    });

    it('clamd stopped: revisions stay PENDING (409 with Retry-After under safe-only) and are scanned once it is back, without a restart', async () => {
      await stopClamd(clamd, { keep: true });
      const { fileId, revisionId } = await upload(server, alice, Buffer.from('waiting for clamd\n'), 'wait.txt');
      // Several retry periods pass with clamd away: the revision stays PENDING (no attempt counted).
      await eventually('the scanner to find clamd unreachable', async () => (/clamd is unreachable/.test(server.output()) ? true : undefined));
      assert.equal(await scanStateOf(server, alice, fileId), 'PENDING');
      await assertRefused(server, alice, fileId, revisionId, 409, /not been scanned/);
      const pending = await api(server, alice.token, `${API}/${fileId}`);
      assert.match(pending.headers.get('retry-after') ?? '', /^\d+$/);
      clamd = await restartClamd(clamd);
      await waitForScanState(server, alice, fileId, 'SAFE');
      assert.equal((await api(server, alice.token, `${API}/${fileId}`)).status, 200);
    });

    it('clamd frozen (SIGSTOP): uploads and reads still answer, the scan times out and is retried, then succeeds', async () => {
      const pid = await clamd.pid();
      process.kill(pid, 'SIGSTOP');
      let fileId: number;
      try {
        const started = Date.now();
        ({ fileId } = await upload(server, alice, Buffer.from('scanned after a freeze\n'), 'frozen.txt'));
        assert.equal(await scanStateOf(server, alice, fileId), 'PENDING');
        assert.ok(Date.now() - started < 5000, 'the upload did not wait for clamd');
        await eventually('a scan to time out', async () => (/did not answer within 1000 ms/.test(server.output()) ? true : undefined));
        assert.equal(await scanStateOf(server, alice, fileId), 'PENDING');
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await waitForScanState(server, alice, fileId, 'SAFE');
    });

    it("a file above clamd's StreamMaxLength is FAILED, never SAFE, and safe-only refuses it with 409", async () => {
      const { fileId, revisionId } = await upload(server, alice, randomBytes(2 * MiB), 'over-limit.bin');
      await waitForScanState(server, alice, fileId, 'FAILED');
      await assertRefused(server, alice, fileId, revisionId, 409, /could not be scanned/);
    });
  });

  it('revisions stored before scanning was turned on are scanned in the background', async () => {
    const clamd = await ensureClamd();
    const first = await startTestServer();
    try {
      const alice = await first.addUser('alice');
      const clean = await upload(first, alice, Buffer.from('uploaded before scanning\n'), 'old.txt');
      const infected = await upload(first, alice, EICAR, 'old-eicar.com');
      assert.equal(await scanStateOf(first, alice, clean.fileId), 'NOT_SCANNED');
      assert.equal((await api(first, alice.token, `${API}/${infected.fileId}`)).status, 200, 'nothing is gated without a scanner');
      assert.equal(await first.stop(), 0);
      const second = await startTestServer({ dataDir: first.dataDir, backend: first.backend, adminToken: first.adminToken, args: ['--clamd', clamd.unixUrl] });
      try {
        await waitForScanState(second, alice, clean.fileId, 'SAFE');
        await waitForScanState(second, alice, infected.fileId, 'INFECTED');
        assert.equal((await api(second, alice.token, `${API}/${infected.fileId}`)).status, 403);
      } finally {
        await second.kill();
      }
    } finally {
      await first.cleanup();
    }
  });
});
