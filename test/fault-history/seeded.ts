// Seeded choices and bytes for the fault history (issue 16 item 5): each actor (a client, the
// nemesis) draws from a stream of its own, so a seed replays the same choices. From node:crypto,
// no hand-written generator: a stream's numbers are SHA-256(seed, stream, counter), and file
// contents are AES-128-CTR keystream under a key derived the same way.
import { createCipheriv, createHash } from 'node:crypto';

export class Seeded {
  private counter = 0;
  private pool: Buffer = Buffer.alloc(0);

  constructor(
    readonly seed: string,
    readonly stream: string,
  ) {}

  /** A float in [0, 1). */
  next(): number {
    if (this.pool.length < 6) {
      this.pool = createHash('sha256').update(`${this.seed}\0${this.stream}\0${this.counter++}`).digest();
    }
    const value = this.pool.readUIntBE(0, 6) / 2 ** 48;
    this.pool = this.pool.subarray(6);
    return value;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A key picked with the weights given. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let left = this.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [key, weight] of entries) {
      left -= weight;
      if (left < 0) return key;
    }
    return entries[entries.length - 1][0];
  }

  /** `size` bytes determined by the seed, this stream and `label`. */
  bytes(size: number, label: string): Buffer {
    const key = createHash('sha256').update(`${this.seed}\0${this.stream}\0bytes\0${label}`).digest();
    const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
    return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
  }
}

/** A seed from DATAFILES_FAULT_SEED, else a fresh one. */
export function seedFrom(env: NodeJS.ProcessEnv): string {
  return env.DATAFILES_FAULT_SEED || createHash('sha256').update(String(process.hrtime.bigint())).digest('hex').slice(0, 12);
}
