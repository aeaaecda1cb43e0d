// ContentMeter: size, MD5, SHA-256 and leading bytes of a stream, with every hashing engine (the
// engines themselves are tested against the Hasher contract, src/adapters/hashing/hasher.contract.ts).
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { chunksOf, expected } from '../../adapters/hashing/hasher.contract.js';
import { localHasher } from '../../adapters/hashing/localHasher.js';
import { sharedWorkerHasher } from '../../adapters/hashing/workerHasher.js';
import { ContentMeter } from './contentMeter.js';

const MiB = 1024 * 1024;

for (const [engine, hasher] of [
  ['this thread', localHasher],
  ['worker threads', sharedWorkerHasher()],
] as const) {
  describe(`ContentMeter (hashing in ${engine})`, () => {
    it('measures size, both hashes (upper-case hex) and the leading bytes, and passes every byte on', async () => {
      const chunks = chunksOf(5 * MiB + 7);
      const meter = new ContentMeter(hasher);
      const received: Buffer[] = [];
      await pipeline(Readable.from(chunks), meter, async function (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) received.push(chunk);
      });
      const measured = meter.measured();
      const whole = Buffer.concat(chunks);
      assert.equal(measured.sizeBytes, whole.length);
      assert.equal(measured.md5, expected(chunks).md5);
      assert.equal(measured.sha256, expected(chunks).sha256);
      assert.deepEqual(Buffer.from(measured.head), whole.subarray(0, 4100));
      assert.ok(Buffer.concat(received).equals(whole));
    });

    it('fails with its source and releases its hashing', async () => {
      const meter = new ContentMeter(hasher);
      const failing = Readable.from(
        (async function* () {
          yield* chunksOf(MiB);
          throw new Error('client went away');
        })(),
      );
      await assert.rejects(
        pipeline(failing, meter, async function (source: AsyncIterable<Buffer>) {
          for await (const _chunk of source);
        }),
        /client went away/,
      );
      assert.throws(() => meter.measured());
    });
  });
}
