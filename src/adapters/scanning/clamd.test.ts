// The clamd adapter against a real clamd (scripts/services/start-clamd.sh), plus small fake
// servers for the replies a healthy clamd never gives (unrecognised text, a dropped connection).
import assert from 'node:assert/strict';
import net from 'node:net';
import { Readable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { EICAR, EICAR_SIGNATURE, ensureClamd, startPrivateClamd, stopClamd, type ClamdSettings } from '../../../test/support/clamd.js';
import { parseClamdAddress } from '../../scanConfig.js';
import { createClamdScanner } from './clamd.js';

const TIMEOUT_MS = 2000;

function scannerFor(url: string, timeoutMs = TIMEOUT_MS) {
  const address = parseClamdAddress(url);
  assert.ok(address, url);
  return createClamdScanner({ address, timeoutMs });
}

/** `count` chunks of `size` bytes; `insert` lands at byte offset `at` (possibly across chunks). */
async function* generated(total: number, chunkSize: number, insert?: { at: number; bytes: Buffer }): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < total; offset += chunkSize) {
    const chunk = Buffer.alloc(Math.min(chunkSize, total - offset), 0x2e);
    if (insert) {
      for (let i = 0; i < insert.bytes.length; i++) {
        const position = insert.at + i - offset;
        if (position >= 0 && position < chunk.length) chunk[position] = insert.bytes[i];
      }
    }
    yield chunk;
  }
}

/** A server that answers every connection with `handle`. */
async function fakeClamd(handle: (socket: net.Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    // Read (and drop) what the client sends, so that its close is seen and server.close() ends.
    socket.on('error', () => {});
    socket.resume();
    handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return { url: `tcp://127.0.0.1:${address.port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('clamd scanner (INSTREAM)', () => {
  let clamd: ClamdSettings;
  before(async () => {
    clamd = await ensureClamd();
  });

  it('clean bytes are clean, over TCP and over the unix socket', async () => {
    for (const url of [clamd.tcpUrl, clamd.unixUrl]) {
      assert.deepEqual(await scannerFor(url).scan({ body: generated(3 * 1024 * 1024, 1024 * 1024) }), { kind: 'clean' }, url);
    }
  });

  it('EICAR is infected, also when it straddles two chunks of a larger stream', async () => {
    const alone = await scannerFor(clamd.tcpUrl).scan({ body: Readable.from([EICAR]) });
    assert.equal(alone.kind, 'infected');
    assert.match(alone.kind === 'infected' ? alone.signature : '', EICAR_SIGNATURE);
    // 1 MiB source chunks, split by the adapter into 256 KiB INSTREAM chunks: EICAR crosses both boundaries.
    const straddling = await scannerFor(clamd.unixUrl).scan({ body: generated(2 * 1024 * 1024, 1024 * 1024, { at: 1024 * 1024 - 30, bytes: EICAR }) });
    assert.equal(straddling.kind, 'infected');
  });

  it('answers the engine and signature version', async () => {
    assert.match(await scannerFor(clamd.tcpUrl).version(), /^ClamAV \d+\.\d+/);
  });

  it('a stream over StreamMaxLength fails, over MaxFileSize fails as too large (not retried), never clean', async () => {
    const small = await startPrivateClamd({ streamMax: '1M', maxFileSize: '512K' });
    try {
      const overStream = await scannerFor(small.tcpUrl).scan({ body: generated(8 * 1024 * 1024, 64 * 1024) });
      // clamd answers "INSTREAM size limit exceeded" and closes; when our next write fails before
      // the reply is read, all that is left is the dropped connection: a failure either way.
      assert.equal(overStream.kind, 'failed');
      assert.match(overStream.kind === 'failed' ? overStream.reason : '', /too large|connection to clamd/);
      const overFile = await scannerFor(small.tcpUrl).scan({ body: generated(700 * 1024, 64 * 1024) });
      assert.equal(overFile.kind, 'failed');
      assert.match(overFile.kind === 'failed' ? overFile.reason : '', /too large.*Limits\.Exceeded/);
      assert.equal(overFile.kind === 'failed' && overFile.retry, false);
    } finally {
      await stopClamd(small);
    }
  });

  it('an unreachable clamd is a retryable "unavailable" failure', async () => {
    const gone = await fakeClamd(() => {});
    await gone.close();
    const outcome = await scannerFor(gone.url).scan({ body: Readable.from([Buffer.from('x')]) });
    assert.equal(outcome.kind, 'failed');
    assert.ok(outcome.kind === 'failed' && outcome.unavailable && outcome.retry);
    const socket = await scannerFor('unix:/nonexistent/clamd.sock').scan({ body: Readable.from([Buffer.from('x')]) });
    assert.ok(socket.kind === 'failed' && socket.unavailable);
  });

  it('a frozen clamd (SIGSTOP) fails the scan after the timeout instead of hanging', async () => {
    const frozen = await startPrivateClamd();
    const pid = await frozen.pid();
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const outcome = await scannerFor(frozen.tcpUrl, 500).scan({ body: generated(4 * 1024 * 1024, 256 * 1024) });
      assert.equal(outcome.kind, 'failed');
      assert.match(outcome.kind === 'failed' ? outcome.reason : '', /did not answer within 500 ms/);
      assert.ok(outcome.kind === 'failed' && outcome.retry);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      process.kill(pid, 'SIGCONT');
      await stopClamd(frozen);
    }
  });

  it('an unrecognised reply, an error reply and a dropped connection are failures, never clean', async () => {
    const cases: Array<[(socket: net.Socket) => void, RegExp]> = [
      [(socket) => socket.end('stream: MAYBE\0'), /not understood/],
      [(socket) => socket.end('stream: OKAY\0'), /not understood/],
      [(socket) => socket.end('UNKNOWN COMMAND\0'), /not understood/],
      [(socket) => socket.end('stream: lstat() failed. ERROR\0'), /an error/],
      [(socket) => socket.destroy(), /closed the connection|connection to clamd/],
      [(socket) => socket.on('data', () => socket.destroy()), /closed the connection|connection to clamd/],
    ];
    for (const [handle, reason] of cases) {
      const fake = await fakeClamd(handle);
      try {
        const outcome = await scannerFor(fake.url).scan({ body: Readable.from([Buffer.from('hello')]) });
        assert.equal(outcome.kind, 'failed');
        assert.match(outcome.kind === 'failed' ? outcome.reason : '', reason);
      } finally {
        await fake.close();
      }
    }
  });

  it('a body that fails to read fails the scan', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('start');
      throw new Error('disk gone');
    }
    const outcome = await scannerFor(clamd.tcpUrl).scan({ body: broken() });
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.reason : '', /disk gone/);
  });
});
