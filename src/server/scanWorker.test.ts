// The background scanner over a real SQLite store and disk blob store, with a scripted scanner for
// what a real clamd cannot be made to do on cue (change its signature version, fail N times).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openDiskBlobStore } from '../adapters/blob/diskBlobStore.js';
import { openSqliteMetadataStore } from '../adapters/metadata/openSqliteMetadataStore.js';
import type { BlobStore } from '../core/ports/blobStore.js';
import { systemClock } from '../core/ports/clock.js';
import type { MetadataStore } from '../core/ports/metadataStore.js';
import type { ScanOutcome, VirusScanner } from '../core/ports/virusScanner.js';
import { ScanService } from '../core/scanning/scanService.js';
import { startScanWorker } from './scanWorker.js';

const quietLog = { warn: () => {}, info: () => {} };

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('background scanner', () => {
  let dir: string;
  let metadata: MetadataStore;
  let blobs: BlobStore;
  let ownerId: number;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'datafiles-scanworker-'));
    metadata = await openSqliteMetadataStore({ path: path.join(dir, 'db.sqlite'), create: true });
    blobs = await openDiskBlobStore({ root: path.join(dir, 'files'), exclusive: true });
    ownerId = (await metadata.principals.createUser({ name: 'owner', isAdmin: false, createdAt: 1 })).id;
  });
  after(async () => {
    await metadata.close();
    await blobs.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function addFile(content: string, scanState: 'PENDING' | 'NOT_SCANNED' = 'PENDING') {
    const stored = await blobs.put({ body: Readable.from([Buffer.from(content)]) });
    const revision = {
      blobKey: stored.key,
      sizeBytes: stored.sizeBytes,
      md5: 'X',
      sha256: 'Y',
      contentType: 'text/plain',
      uploadUserId: ownerId,
      uploadTimeMillis: 1,
      uploadedAt: 1,
      scanState,
    };
    const created = await metadata.files.createFile({ name: content, description: '', ownerId, publicAccess: false, createdAt: 1, revision });
    return created.currentRevision.id;
  }

  function run(scanner: VirusScanner, options: { maxAttempts?: number; retryMs?: number } = {}) {
    const service = new ScanService(
      { queue: metadata.scans, blobs, scanner, clock: systemClock, log: quietLog },
      { owner: 'test', leaseMs: 30_000, retryMs: options.retryMs ?? 20, maxAttempts: options.maxAttempts ?? 3, maxBytes: 1_000_000 },
    );
    return startScanWorker({ service, queue: metadata.scans, clock: systemClock, concurrency: 2, log: quietLog });
  }

  it("rescans SAFE revisions when clamd's VERSION changes, recording the new version", async () => {
    let version = 'ClamAV 1.4.6/100';
    const scanned: string[] = [];
    const scanner: VirusScanner = {
      version: () => Promise.resolve(version),
      async scan({ body }) {
        const chunks: Buffer[] = [];
        for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
        scanned.push(Buffer.concat(chunks).toString());
        return { kind: 'clean' };
      },
    };
    const ids = [await addFile('one'), await addFile('two')];
    const worker = run(scanner);
    try {
      await until('both SAFE', async () =>
        (await Promise.all(ids.map((id) => metadata.scans.getScan(id)))).every((scan) => scan?.scanState === 'SAFE') ? true : undefined,
      );
      assert.equal((await metadata.scans.getScan(ids[0]))?.engine, 'ClamAV 1.4.6/100');
      assert.deepEqual([...scanned].sort(), ['one', 'two']);
    } finally {
      await worker.stop();
    }
    // New signatures: the next worker (its version cache is new) sees another VERSION.
    version = 'ClamAV 1.4.6/101';
    const again = run(scanner);
    try {
      await until('both rescanned', async () =>
        (await Promise.all(ids.map((id) => metadata.scans.getScan(id)))).every((scan) => scan?.engine === 'ClamAV 1.4.6/101' && scan.scanState === 'SAFE')
          ? true
          : undefined,
      );
      assert.equal(scanned.length, 4);
    } finally {
      await again.stop();
    }
  });

  it('retries a failing scan with backoff and records FAILED with the reason after maxAttempts; an unreachable scanner counts no attempt', async () => {
    let calls = 0;
    const failing: VirusScanner = {
      version: () => Promise.resolve('ClamAV 1.4.6/101'),
      scan: async ({ body }): Promise<ScanOutcome> => {
        for await (const chunk of body as AsyncIterable<Buffer>) void chunk;
        calls += 1;
        return { kind: 'failed', reason: 'clamd answered an error: boom ERROR', retry: true };
      },
    };
    const id = await addFile('flaky');
    const worker = run(failing, { maxAttempts: 3 });
    try {
      const scan = await until('FAILED', async () => {
        const record = await metadata.scans.getScan(id);
        return record?.scanState === 'FAILED' ? record : undefined;
      });
      assert.equal(calls, 3);
      assert.match(scan.reason ?? '', /boom ERROR.*failed 3 times/);
    } finally {
      await worker.stop();
    }

    const unreachable: VirusScanner = { version: () => Promise.reject(new Error('ECONNREFUSED')), scan: () => Promise.reject(new Error('not called')) };
    const waiting = await addFile('waiting');
    const down = run(unreachable, { maxAttempts: 1 });
    try {
      await until('given back', async () =>
        /^clamd is unreachable \(VERSION: ECONNREFUSED\)$/.test((await metadata.scans.getScan(waiting))?.reason ?? '') ? true : undefined,
      );
      const record = await metadata.scans.getScan(waiting);
      assert.equal(record?.scanState, 'PENDING');
      assert.equal(record?.attempts, 0);
    } finally {
      await down.stop();
    }
  });

  it('while clamd is unreachable, claims pause for retryMs instead of cycling the whole backlog', async () => {
    let versions = 0;
    const unreachable: VirusScanner = {
      version: () => {
        versions += 1;
        return Promise.reject(new Error('ECONNREFUSED'));
      },
      scan: () => Promise.reject(new Error('not called')),
    };
    for (let i = 0; i < 20; i++) await addFile(`backlog ${i}`);
    const started = Date.now();
    const worker = run(unreachable, { retryMs: 200 });
    try {
      await until('6 attempts to reach clamd', async () => (versions >= 6 ? true : undefined));
      // Two at a time (concurrency 2), then a 200 ms pause: the 5th and 6th come after two pauses.
      assert.ok(Date.now() - started >= 350, `6 VERSION calls in ${Date.now() - started} ms`);
    } finally {
      await worker.stop();
    }
  });
});
