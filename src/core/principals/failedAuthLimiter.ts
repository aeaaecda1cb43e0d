// docs/decisions.md 41: failed authentications are rate-limited per client address with a token
// bucket: an address may fail `burst` times at once, then `perSecond` times a second. While its
// bucket is empty every API request from it is refused with 429 before its token is looked up, so
// a flood of guesses costs neither a hash nor a database round trip.
//
// The buckets live in this process (a per-server approximation, docs/decisions.md 41): behind a load
// balancer spreading one address over N servers, that address gets at most N times the limit.
// Keeping them in the shared database would turn every bad guess into a database write, the load
// the limit is there to keep off it.
//
// Hand-written (about 40 lines) rather than a rate-limiting library: it must count failures only,
// read time through the Clock port (tests), and bound its memory; the libraries count requests.
import { DomainError } from '../errors.js';
import type { Clock } from '../ports/clock.js';

export interface FailedAuthLimits {
  /** Failures an address may have at once; 0 turns the limit off. */
  burst: number;
  /** Failures an address earns back per second. */
  perSecond: number;
  /** Addresses remembered at most (the least recently failing ones are forgotten first). */
  maxAddresses?: number;
}

interface Bucket {
  /** Failures the address may still have. */
  tokens: number;
  /** When `tokens` was computed (epoch ms). */
  at: number;
}

const DEFAULT_MAX_ADDRESSES = 100_000;

export class FailedAuthLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxAddresses: number;

  constructor(
    private readonly limits: FailedAuthLimits,
    private readonly clock: Clock,
  ) {
    this.maxAddresses = limits.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  }

  /** TOO_MANY_FAILED_AUTHENTICATIONS (with the seconds to wait) while the address has no failure left. */
  check(address: string): void {
    const bucket = this.current(address);
    if (bucket === undefined || bucket.tokens >= 1) return;
    const seconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.limits.perSecond));
    throw new DomainError(
      'TOO_MANY_FAILED_AUTHENTICATIONS',
      `Too many requests with an invalid token from this address (the limit: ${this.limits.burst} at once, then ${this.limits.perSecond} a second). ` +
        `Try again in ${seconds} s with a valid token.`,
      { retryAfterSeconds: seconds },
    );
  }

  /** Counts one failed authentication from the address. */
  failed(address: string): void {
    if (this.limits.burst === 0) return;
    const bucket = this.current(address) ?? { tokens: this.limits.burst, at: this.clock.now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Re-inserted so that the Map's order is least recently failing first.
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    if (this.buckets.size > this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value as string);
  }

  /** The address's bucket refilled to now, or undefined when it is full (then it is forgotten). */
  private current(address: string): Bucket | undefined {
    const bucket = this.buckets.get(address);
    if (bucket === undefined) return undefined;
    const now = this.clock.now();
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.limits.perSecond);
    bucket.at = now;
    if (bucket.tokens >= this.limits.burst) {
      this.buckets.delete(address);
      return undefined;
    }
    return bucket;
  }
}
