// The hashing engine on the calling thread (node:crypto): for small streams, as the fallback when
// no worker thread can be started, and where a deployment or a test wants no threads.
import { createHash, type Hash } from 'node:crypto';
import type { DigestAlgorithm, Digests, DigestStream, Hasher, RunningDigest } from '../../core/ports/hasher.js';

/** Upper-case hex (docs/decisions.md 3) of a hash, which is left usable. */
export function hexOf(hash: Hash): string {
  return hash.copy().digest('hex').toUpperCase();
}

class LocalStream<A extends DigestAlgorithm> implements DigestStream<A> {
  private readonly hashes: [A, Hash][];

  constructor(algorithms: readonly A[]) {
    this.hashes = algorithms.map((algorithm) => [algorithm, createHash(algorithm)]);
  }

  update(chunk: Uint8Array): void {
    for (const [, hash] of this.hashes) hash.update(chunk);
  }

  async finish(): Promise<Digests<A>> {
    const digests = {} as Digests<A>;
    for (const [algorithm, hash] of this.hashes) digests[algorithm] = hash.digest('hex').toUpperCase();
    return digests;
  }

  abort(): void {}
}

class LocalRunning implements RunningDigest {
  constructor(
    private readonly md5: Hash = createHash('md5'),
    private readonly sha256: Hash = createHash('sha256'),
  ) {}

  update(chunk: Uint8Array): void {
    this.md5.update(chunk);
    this.sha256.update(chunk);
  }

  copy(): RunningDigest {
    return new LocalRunning(this.md5.copy(), this.sha256.copy());
  }

  async digest(): Promise<Digests> {
    return { md5: hexOf(this.md5), sha256: hexOf(this.sha256) };
  }

  dispose(): void {}
}

export const localHasher: Hasher = {
  stream: <A extends DigestAlgorithm>(algorithms: readonly A[]) => new LocalStream(algorithms),
  running: () => new LocalRunning(),
};
