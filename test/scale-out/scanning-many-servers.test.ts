// Issue 14: three servers on one PostgreSQL + S3 backend share the scan queue; one is SIGKILLed
// while it holds scans. No job is lost: its leases expire and the others scan those revisions.
// clamd is frozen (SIGSTOP) while the servers claim, so that every server is mid-scan at the kill.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { provisionScaleOut, type BackendResources } from '../support/backend.js';
import { startPrivateClamd, stopClamd, type ClamdSettings } from '../support/clamd.js';
import { eventually, scanStateOf, upload } from '../support/scanning.js';
import { startTestServer, type TestServer, type TestUser } from '../support/server.js';

const LEASE_MS = 3000;

describe('three servers share the scan queue (PostgreSQL)', { timeout: 300_000 }, () => {
  let backend: BackendResources;
  let clamd: ClamdSettings;
  const servers: TestServer[] = [];
  let alice: TestUser;
  before(async () => {
    backend = await provisionScaleOut();
    clamd = await startPrivateClamd();
    const args = [
      '--clamd',
      clamd.tcpUrl,
      '--scan-concurrency',
      '2',
      '--scan-lease-ms',
      String(LEASE_MS),
      '--scan-timeout-ms',
      '60000',
      '--scan-retry-ms',
      '100',
      '--scan-max-attempts',
      '20',
    ];
    servers.push(await startTestServer({ backend, args }));
    const adminToken = servers[0].adminToken;
    for (let i = 1; i < 3; i++) servers.push(await startTestServer({ backend, adminToken, args }));
    alice = await servers[0].addUser('alice');
  });
  after(async () => {
    for (const server of servers) await server.cleanup();
    await stopClamd(clamd).catch(() => {});
    await backend?.release();
  });

  it('a server killed mid-scan loses no job: every revision ends SAFE', async () => {
    const pid = await clamd.pid();
    process.kill(pid, 'SIGSTOP');
    let fileIds: number[];
    try {
      // Uploaded through every server; each wakes its own scanner, the others poll.
      fileIds = [];
      for (let i = 0; i < 9; i++) fileIds.push((await upload(servers[i % 3], alice, Buffer.from(`file ${i}\n`), `f${i}.txt`)).fileId);
      // Every server holds scans (6 slots for 9 jobs), all stuck on the frozen clamd.
      await eventually('6 scans in flight', async () => ((await servers[0].cli(['scan', 'status'])).scanning === 6 ? true : undefined));
      await servers[1].kill();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    for (const fileId of fileIds) {
      await eventually(`file ${fileId} SAFE`, async () => ((await scanStateOf(servers[0], alice, fileId)) === 'SAFE' ? true : undefined), 60_000);
    }
    const status = await servers[0].cli(['scan', 'status']);
    assert.equal(status.byState.SAFE, 9);
    assert.equal(status.byState.PENDING, 0);
  });
});
