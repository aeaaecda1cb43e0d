// The state a WholeFileHasher (wholeFileHasher.ts) keeps per session: the running hash of the
// parts folded so far, the "chain" naming exactly which part versions those are, and the tap that
// feeds a copy of it with a part as it streams in.
import { createHash, type Hash } from 'node:crypto';
import type { RunningDigest } from '../ports/hasher.js';
import type { ByteTap } from './partChecksum.js';

export interface PartSummary {
  index: number;
  sizeBytes: number;
  sha256: string;
  /** The stored version of the part (docs/decisions.md 50), if any. */
  blobVersion?: string;
}

/** The hashes of parts 1..through, and a chain hash naming exactly which part versions they are. */
export interface HashState {
  /** MD5 and SHA-256 of the parts' bytes. */
  bytes: RunningDigest;
  chain: Hash;
  through: number;
  sizeBytes: number;
}

export class LiveTap implements ByteTap {
  readonly bytes: RunningDigest;
  sizeBytes = 0;
  /** The hashing engine failed: the part is stored all the same, and folded by a later read. */
  failed = false;

  constructor(
    readonly index: number,
    base: HashState,
  ) {
    this.bytes = base.bytes.copy();
  }

  update(chunk: Buffer): void | Promise<void> {
    this.sizeBytes += chunk.length;
    if (this.failed) return;
    const hashing = this.bytes.update(chunk);
    return hashing?.catch(() => {
      this.failed = true;
    });
  }
}

export function copyState(state: HashState): HashState {
  return { bytes: state.bytes.copy(), chain: state.chain.copy(), through: state.through, sizeBytes: state.sizeBytes };
}

export function chainEntry(part: PartSummary): string {
  return `${part.index}:${part.sizeBytes}:${part.sha256}\n`;
}

export function chainOf(parts: readonly PartSummary[]): string {
  const chain = createHash('sha256');
  for (const part of parts) chain.update(chainEntry(part));
  return chain.digest('hex');
}
