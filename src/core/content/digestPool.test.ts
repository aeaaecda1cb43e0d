import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { ContentMeter } from './contentMeter.js';
import { RING_BYTES, SMALL_STREAM_BYTES, startDigest, type DigestStream } from './digestPool.js';

function expected(chunks: readonly Uint8Array[]) {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  for (const chunk of chunks) {
    md5.update(chunk);
    sha256.update(chunk);
  }
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex') };
}

/** Chunks of varying sizes adding up to `total`, from one random block. */
function chunksOf(total: number, seed = randomBytes(1024 * 1024)): Buffer[] {
  const chunks: Buffer[] = [];
  let offset = 0;
  let size = 1;
  while (offset < total) {
    const length = Math.min(total - offset, size);
    const start = offset % (seed.length - length + 1);
    chunks.push(Buffer.from(seed.subarray(start, start + length)));
    chunks[chunks.length - 1][0] = offset & 0xff;
    offset += length;
    size = (size * 7 + 13) % 300_000 || 1;
  }
  return chunks;
}

async function feed(stream: DigestStream, chunks: readonly Uint8Array[]) {
  for (const chunk of chunks) await stream.update(chunk);
  return stream.finish();
}

describe('digest pool', () => {
  for (const [name, size] of [
    ['an empty stream', 0],
    ['one byte', 1],
    ['a small stream (hashed in place)', SMALL_STREAM_BYTES],
    ['just past the small limit', SMALL_STREAM_BYTES + 1],
    ['several rings long', 3 * RING_BYTES + 12_345],
  ] as const) {
    it(`hashes ${name} exactly like node:crypto`, async () => {
      const chunks = chunksOf(size);
      assert.deepEqual(await feed(startDigest(['md5', 'sha256']), chunks), expected(chunks));
    });
  }

  it('hashes a single algorithm', async () => {
    const chunks = chunksOf(2 * RING_BYTES);
    const digests = await feed(startDigest(['md5']), chunks);
    assert.equal(digests.md5, expected(chunks).md5);
    assert.equal(digests.sha256, undefined);
  });

  it('keeps many concurrent streams apart', async () => {
    const inputs = Array.from({ length: 7 }, (_, index) => chunksOf(RING_BYTES + index * 100_003));
    const results = await Promise.all(inputs.map((chunks) => feed(startDigest(['md5', 'sha256']), chunks)));
    results.forEach((result, index) => assert.deepEqual(result, expected(inputs[index])));
  });

  it('copies each chunk, so the caller may reuse its buffer', async () => {
    const buffer = Buffer.alloc(64 * 1024);
    const stream = startDigest(['md5', 'sha256']);
    const seen: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      buffer.fill(i);
      seen.push(Buffer.from(buffer));
      await stream.update(buffer);
    }
    assert.deepEqual(await stream.finish(), expected(seen));
  });

  it('gives up an aborted stream and goes on serving others', async () => {
    const aborted = startDigest(['md5', 'sha256']);
    for (const chunk of chunksOf(RING_BYTES / 2)) await aborted.update(chunk);
    aborted.abort();
    const chunks = chunksOf(2 * RING_BYTES);
    assert.deepEqual(await feed(startDigest(['md5', 'sha256']), chunks), expected(chunks));
  });

  it('hashes on this thread when asked to', async () => {
    const chunks = chunksOf(RING_BYTES);
    assert.deepEqual(await feed(startDigest(['md5', 'sha256'], { engine: 'local' }), chunks), expected(chunks));
  });
});

describe('ContentMeter', () => {
  it('measures size, both hashes and the leading bytes, and passes every byte on', async () => {
    const chunks = chunksOf(5 * RING_BYTES + 7);
    const meter = new ContentMeter();
    const received: Buffer[] = [];
    await pipeline(Readable.from(chunks), meter, async function (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) received.push(chunk);
    });
    const measured = meter.measured();
    const whole = Buffer.concat(chunks);
    assert.equal(measured.sizeBytes, whole.length);
    assert.equal(measured.md5, expected(chunks).md5.toUpperCase());
    assert.equal(measured.sha256, expected(chunks).sha256.toUpperCase());
    assert.deepEqual(Buffer.from(measured.head), whole.subarray(0, 4100));
    assert.ok(Buffer.concat(received).equals(whole));
  });

  it('fails with its source and releases its hashing', async () => {
    const meter = new ContentMeter();
    const failing = Readable.from(
      (async function* () {
        yield* chunksOf(RING_BYTES);
        throw new Error('client went away');
      })(),
    );
    await assert.rejects(pipeline(failing, meter, async function (source: AsyncIterable<Buffer>) {
      for await (const _chunk of source);
    }), /client went away/);
    assert.throws(() => meter.measured());
  });
});
