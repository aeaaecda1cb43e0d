// When S3 cannot be reached, the S3 store says so quickly with DEPENDENCY_UNAVAILABLE (503 at
// the HTTP layer) instead of hanging: a refused connection, a server that never answers, and a
// backend that disappears under an open store.
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ensureRgw, type S3TestSettings } from '../../../../test/support/rgw.js';
import { assertRejectsWithCode, randomData, streamOf } from '../blobStoreContractSupport.js';
import { createS3Client } from './s3Client.js';
import { openS3BlobStore } from './s3BlobStore.js';
import type { BlobStore } from '../../../core/ports/blobStore.js';

const bucket = `datafiles-test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let settings: S3TestSettings;

before(async () => {
  settings = await ensureRgw();
});

describe('S3 BlobStore when S3 cannot be reached', { timeout: 60_000 }, () => {
  it('opening a store on an endpoint that refuses connections fails fast with DEPENDENCY_UNAVAILABLE', async () => {
    const port = await closedPort();
    const started = Date.now();
    await assertRejectsWithCode(openS3BlobStore({ ...settings, endpoint: `http://127.0.0.1:${port}`, bucket }), 'DEPENDENCY_UNAVAILABLE');
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  });

  it('an endpoint that accepts connections but never answers fails with DEPENDENCY_UNAVAILABLE after the request timeout', async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      await assertRejectsWithCode(
        openS3BlobStore({ ...settings, endpoint: `http://127.0.0.1:${silent.port}`, bucket, requestTimeoutMs: 300 }),
        'DEPENDENCY_UNAVAILABLE',
      );
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    } finally {
      await silent.stop();
    }
  });

  describe('a store whose S3 goes away', () => {
    after(async () => {
      // The store under test lost its backend; tidy up over a direct connection.
      const direct = await openS3BlobStore({ ...settings, bucket, prefix: 'vanishing/' });
      await direct.sweepTemporary({ olderThanMs: 0 });
      await direct.close();
    });

    it('answers every operation with DEPENDENCY_UNAVAILABLE, quickly', async () => {
      const proxy = await tcpProxyTo(new URL(settings.endpoint));
      const viaProxy = await openS3BlobStore({ ...settings, endpoint: `http://127.0.0.1:${proxy.port}`, bucket, prefix: 'vanishing/' });
      const stored = await viaProxy.put({ body: streamOf(randomData(100)) });
      const { uploadId } = await viaProxy.createUpload();
      try {
        await proxy.stop();
        const started = Date.now();
        await assertRejectsWithCode(viaProxy.ping(), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.get({ key: stored.key }), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.delete(stored.key), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.put({ body: streamOf(randomData(100)) }), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.createUpload(), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.putPart({ uploadId, index: 1, body: streamOf(randomData(10)), sizeBytes: 10 }), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.getPart({ uploadId, index: 1 }), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.completeUpload({ uploadId, indexes: [1] }), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.abortUpload({ uploadId }), 'DEPENDENCY_UNAVAILABLE');
        await assertRejectsWithCode(viaProxy.sweepTemporary({ olderThanMs: 0 }), 'DEPENDENCY_UNAVAILABLE');
        assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
      } finally {
        await viaProxy.close();
        const direct = await openS3BlobStore({ ...settings, bucket, prefix: 'vanishing/' });
        await direct.delete(stored.key);
        await direct.abortUpload({ uploadId });
        await direct.close();
      }
    });
  });

  // docs/decisions.md 185: S3 frozen or gone while a body streams is DEPENDENCY_UNAVAILABLE too.
  describe('a body whose S3 connection breaks or stalls mid-read', () => {
    for (const failure of ['reset', 'stall'] as const) {
      it(`${failure}: get, getPart and the reads of completeUpload fail with DEPENDENCY_UNAVAILABLE`, async () => {
        // Written directly; only the reads go through the relay, with a short idle timeout.
        const direct = await openS3BlobStore({ ...settings, bucket, prefix: 'cut/' });
        const relay = await tcpProxyTo(new URL(settings.endpoint));
        let viaRelay: BlobStore | undefined;
        let stored: { key: string } | undefined;
        let uploadId: string | undefined;
        try {
          stored = await direct.put({ body: streamOf(randomData(4 * 1024 * 1024)) });
          const upload = await direct.createUpload();
          uploadId = upload.uploadId;
          // Parts below S3's 5 MiB minimum: completeUpload reads them back and sends them as one object.
          for (const index of [1, 2]) await direct.putPart({ uploadId, index, body: streamOf(randomData(1024 * 1024)), sizeBytes: 1024 * 1024 });
          const store = (viaRelay = await openS3BlobStore({
            ...settings,
            endpoint: `http://127.0.0.1:${relay.port}`,
            bucket,
            prefix: 'cut/',
            requestTimeoutMs: 500,
          }));
          const key = stored.key;
          const reads: Array<[string, () => Promise<unknown>]> = [
            ['get', async () => drain(await store.get({ key }))],
            ['getPart', async () => drain(await store.getPart({ uploadId: upload.uploadId, index: 1 }))],
            // Its read-ahead may find another answer stalled first: either failure is S3's.
            ['completeUpload', () => store.completeUpload({ uploadId: upload.uploadId, indexes: [1, 2] })],
          ];
          for (const [what, read] of reads) {
            relay.breakAfter(64 * 1024, failure);
            await assert.rejects(read(), (error: unknown) => {
              assert.equal((error as { code?: string }).code, 'DEPENDENCY_UNAVAILABLE', `${what}: ${String(error)}`);
              return true;
            });
            assert.ok(relay.heal() > 0, `${what}: an answer was cut mid-body`);
          }
        } finally {
          await viaRelay?.close();
          await relay.stop();
          if (stored) await direct.delete(stored.key);
          if (uploadId) await direct.abortUpload({ uploadId }).catch(() => undefined);
          await direct.close();
        }
      });
    }
  });
});

async function drain(body: AsyncIterable<unknown>): Promise<void> {
  for await (const chunk of body) void chunk;
}

after(async () => {
  if (settings === undefined) return; // before() failed
  const admin = createS3Client(settings);
  await admin.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  admin.destroy();
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Relay {
  port: number;
  /** After `bytes` more bytes of S3's answers to GETs, reset that connection, or stop passing its bytes on. */
  breakAfter(bytes: number, failure: 'reset' | 'stall'): void;
  /** Closes the connections whose answer was cut, relays in full again, and says how many were cut. */
  heal(): number;
  stop(): Promise<void>;
}

/** A TCP relay to `target`, so a test can make S3 vanish by stopping it, or break its answers mid-body. */
async function tcpProxyTo(target: URL): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let cut: { left: number; failure: 'reset' | 'stall' } | undefined;
  const cutConnections = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 80), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    // Only answers to GETs are broken: completeUpload's reads fail while its upload waits for them.
    let method = '';
    client.on('data', (chunk: Buffer) => {
      method = /^([A-Z]+) \//.exec(chunk.toString('latin1', 0, 16))?.[1] ?? method;
    });
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (cut === undefined || method !== 'GET') return void client.write(chunk);
      if (cut.left <= 0) return;
      client.write(chunk.subarray(0, cut.left));
      cut.left -= chunk.length;
      if (cut.left > 0) return;
      cutConnections.add(client);
      if (cut.failure === 'reset') client.resetAndDestroy();
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let stopped: Promise<void> | undefined;
  return {
    port: (server.address() as net.AddressInfo).port,
    breakAfter: (bytes, failure) => {
      cut = { left: bytes, failure };
    },
    heal: () => {
      cut = undefined;
      const count = cutConnections.size;
      for (const socket of cutConnections) socket.destroy();
      cutConnections.clear();
      return count;
    },
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}
