// MD5 and SHA-256 are what the domain asks of a hashing engine; where and how they are computed
// (this thread, worker threads, shared memory) is the adapter's business (src/adapters/hashing;
// docs/decisions.md 70).
// Every digest is upper-case hex, as stored and answered (docs/decisions.md 3). The one failure
// an engine reports is HashingFailed, a DomainError with code INTERNAL.
import { DomainError } from '../errors.js';

export type DigestAlgorithm = 'md5' | 'sha256';

/** Upper-case hex digests, by algorithm. */
export type Digests<A extends DigestAlgorithm = DigestAlgorithm> = Record<A, string>;

/**
 * One pass over a stream of bytes, start to end. A call may answer with a promise: the caller must
 * wait for it before the next call (backpressure: a hashing engine that falls behind slows the
 * stream, it does not queue its bytes). A failed engine answers with a rejected promise
 * (HashingFailed), never by throwing, so callers handle one outcome.
 */
export interface DigestStream<A extends DigestAlgorithm = DigestAlgorithm> {
  /** Feeds bytes; the chunk is copied or consumed before this returns, so the caller may reuse it. */
  update(chunk: Uint8Array): void | Promise<void>;
  /** Ends the stream: the digests of every byte fed. */
  finish(): Promise<Digests<A>>;
  /** Gives the stream up (a failed upload); its resources are released. */
  abort(): void;
}

/**
 * MD5 and SHA-256 of a byte sequence that grows over time: it can be copied (a fork that goes on
 * independently) and read without being ended, and goes on from where it stands. What the
 * whole-file hash of a multipart upload needs (src/core/sessions/wholeFileHasher.ts).
 */
export interface RunningDigest {
  /** Feeds bytes; as DigestStream.update. */
  update(chunk: Uint8Array): void | Promise<void>;
  /** An independent copy of the state so far. */
  copy(): RunningDigest;
  /** The digests of every byte fed so far; the state stays usable. */
  digest(): Promise<Digests>;
  /** Releases the state. */
  dispose(): void;
}

export interface Hasher {
  /** Starts one pass over a stream with each of `algorithms`. */
  stream<A extends DigestAlgorithm>(algorithms: readonly A[]): DigestStream<A>;
  /** Starts a running MD5 + SHA-256 of nothing yet. */
  running(): RunningDigest;
}

/**
 * The hashing engine failed (a worker thread died): the digest in flight is lost. A new digest may
 * succeed (the engine replaces what failed), so a caller that still has the bytes may start over;
 * otherwise the request fails with 500 and this message.
 */
export class HashingFailed extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', message, options);
    this.name = 'HashingFailed';
  }
}
