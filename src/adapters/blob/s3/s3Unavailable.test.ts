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
});

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

/** A TCP relay to `target`, so a test can make S3 vanish by stopping it. */
async function tcpProxyTo(target: URL): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 80), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let stopped: Promise<void> | undefined;
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}
