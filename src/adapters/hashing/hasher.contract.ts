// The Hasher contract (docs/architecture.md, "One contract test suite per port"): every hashing
// engine (src/core/ports/hasher.ts) runs this same suite unchanged. It uses only the port and
// checks every answer against node:crypto, upper-case (docs/decisions.md 3).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Hasher } from '../../core/ports/hasher.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export function hexOf(algorithm: 'md5' | 'sha256', chunks: readonly Uint8Array[]): string {
  const hash = createHash(algorithm);
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex').toUpperCase();
}

export function expected(chunks: readonly Uint8Array[]) {
  return { md5: hexOf('md5', chunks), sha256: hexOf('sha256', chunks) };
}

/** Chunks of varying sizes adding up to `total`, from one random block. */
export function chunksOf(total: number, seed = randomBytes(MiB)): Buffer[] {
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

export async function feed<S extends { update(chunk: Uint8Array): void | Promise<void> }>(digest: S, chunks: readonly Uint8Array[]): Promise<S> {
  for (const chunk of chunks) await digest.update(chunk);
  return digest;
}

export function hasherContract(name: string, makeHasher: () => Hasher): void {
  describe(`Hasher contract: ${name}`, { timeout: 60_000 }, () => {
    describe('stream', () => {
      for (const [what, size] of [
        ['an empty stream', 0],
        ['one byte', 1],
        ['256 KiB', 256 * KiB],
        ['just past 256 KiB', 256 * KiB + 1],
        ['several MiB', 3 * MiB + 12_345],
      ] as const) {
        it(`hashes ${what} exactly like node:crypto, in upper-case hex`, async () => {
          const chunks = chunksOf(size);
          const digests = await (await feed(makeHasher().stream(['md5', 'sha256']), chunks)).finish();
          assert.deepEqual(digests, expected(chunks));
        });
      }

      it('hashes a single algorithm, and only that one', async () => {
        const chunks = chunksOf(2 * MiB);
        const digests = await (await feed(makeHasher().stream(['sha256']), chunks)).finish();
        assert.deepEqual(digests, { sha256: expected(chunks).sha256 });
      });

      it('keeps many concurrent streams apart', async () => {
        const hasher = makeHasher();
        const inputs = Array.from({ length: 7 }, (_, index) => chunksOf(MiB + index * 100_003));
        const results = await Promise.all(inputs.map(async (chunks) => (await feed(hasher.stream(['md5', 'sha256']), chunks)).finish()));
        results.forEach((result, index) => assert.deepEqual(result, expected(inputs[index])));
      });

      it('copies each chunk, so the caller may reuse its buffer', async () => {
        const buffer = Buffer.alloc(64 * KiB);
        const stream = makeHasher().stream(['md5', 'sha256']);
        const seen: Buffer[] = [];
        for (let i = 0; i < 200; i++) {
          buffer.fill(i);
          seen.push(Buffer.from(buffer));
          await stream.update(buffer);
        }
        assert.deepEqual(await stream.finish(), expected(seen));
      });

      it('gives up an aborted stream and goes on serving others', async () => {
        const hasher = makeHasher();
        const aborted = await feed(hasher.stream(['md5', 'sha256']), chunksOf(MiB / 2));
        aborted.abort();
        const chunks = chunksOf(2 * MiB);
        assert.deepEqual(await (await feed(hasher.stream(['md5', 'sha256']), chunks)).finish(), expected(chunks));
      });
    });

    describe('running', () => {
      it('reads the digest so far without ending it, then goes on', async () => {
        const first = chunksOf(3 * MiB + 5);
        const second = chunksOf(MiB + 77);
        const running = await feed(makeHasher().running(), first);
        assert.deepEqual(await running.digest(), expected(first));
        await feed(running, second);
        assert.deepEqual(await running.digest(), expected([...first, ...second]));
        running.dispose();
      });

      it('digests nothing fed as the empty input', async () => {
        const running = makeHasher().running();
        assert.deepEqual(await running.digest(), expected([]));
        running.dispose();
      });

      it('copies a state: the copy and the original go on independently', async () => {
        const hasher = makeHasher();
        const base = chunksOf(2 * MiB + 3);
        const left = chunksOf(MiB);
        const right = chunksOf(500 * KiB);
        const original = await feed(hasher.running(), base);
        const copy = original.copy();
        await Promise.all([feed(original, left), feed(copy, right)]);
        assert.deepEqual(await original.digest(), expected([...base, ...left]));
        assert.deepEqual(await copy.digest(), expected([...base, ...right]));
        original.dispose();
        assert.deepEqual(await copy.digest(), expected([...base, ...right]), 'a copy outlives its original');
        copy.dispose();
      });

      it('keeps many running states apart', async () => {
        const hasher = makeHasher();
        const inputs = Array.from({ length: 6 }, (_, index) => chunksOf(MiB + index * 70_001));
        const results = await Promise.all(
          inputs.map(async (chunks) => {
            const running = await feed(hasher.running(), chunks);
            const digests = await running.digest();
            running.dispose();
            return digests;
          }),
        );
        results.forEach((result, index) => assert.deepEqual(result, expected(inputs[index])));
      });
    });
  });
}
