// Part measuring: the checksum is checked at the end of the body, before the part can be kept.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { localHasher } from '../../adapters/hashing/localHasher.js';
import { sharedWorkerHasher } from '../../adapters/hashing/workerHasher.js';
import { isDomainError } from '../errors.js';
import { PartHasher, parseExpectedChecksum } from './partChecksum.js';
import { missingPartIndexes, parsePartIndex } from './partIndex.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').toUpperCase();

async function measure(bytes: Buffer, options: ConstructorParameters<typeof PartHasher>[0]) {
  const hasher = new PartHasher(options);
  let received = 0;
  await pipeline(
    Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]),
    hasher,
    new Writable({
      write(chunk, _encoding, callback) {
        received += chunk.length;
        callback();
      },
    }),
  );
  return { ...hasher.measured(), received };
}

describe('part checksums', () => {
  it('accepts 64 hex digits in any case, upper-cases them, and refuses anything else', () => {
    const value = 'ab'.repeat(32);
    assert.equal(parseExpectedChecksum(value), value.toUpperCase());
    assert.equal(parseExpectedChecksum(undefined), undefined);
    for (const bad of ['', 'abc', 'g'.repeat(64), 'a'.repeat(63), 'a'.repeat(65)])
      assert.throws(
        () => parseExpectedChecksum(bad),
        (error) => isDomainError(error, 'BAD_REQUEST'),
      );
  });

  for (const [where, hasher] of [
    ['this thread', localHasher],
    ['worker threads', sharedWorkerHasher()],
  ] as const) {
    it(`measures size and SHA-256 as the bytes pass (${where})`, async () => {
      const bytes = randomBytes(3 * 1024 * 1024 + 11);
      const measured = await measure(bytes, { maxBytes: 10 * 1024 * 1024, expectedSha256: sha256(bytes), hasher });
      assert.deepEqual(measured, { sizeBytes: bytes.length, sha256: sha256(bytes), received: bytes.length });
    });

    it(`fails at the end of the body when the checksum differs (${where})`, async () => {
      await assert.rejects(measure(randomBytes(100), { maxBytes: 1000, expectedSha256: '0'.repeat(64), hasher }), (error) =>
        isDomainError(error, 'CHECKSUM_MISMATCH'),
      );
    });
  }

  it('fails as soon as the part is larger than allowed', async () => {
    await assert.rejects(measure(randomBytes(1001), { maxBytes: 1000, hasher: localHasher }), (error) => isDomainError(error, 'PAYLOAD_TOO_LARGE'));
  });
});

describe('part indexes', () => {
  it('are decimal integers from 1 to 10,000', () => {
    assert.equal(parsePartIndex('1'), 1);
    assert.equal(parsePartIndex('10000'), 10_000);
    for (const bad of ['0', '10001', '-1', '1.0', 'abc', '', ' 1', '0x10', '1e3'])
      assert.throws(
        () => parsePartIndex(bad),
        (error) => isDomainError(error, 'INVALID_PART_INDEX'),
        bad,
      );
  });

  it('missing indexes are those absent from 1..N', () => {
    assert.deepEqual(missingPartIndexes([1, 4, 2]), [3]);
    assert.deepEqual(missingPartIndexes([2], 4), [1, 3, 4]);
    assert.deepEqual(missingPartIndexes([1, 2, 3]), []);
  });
});
