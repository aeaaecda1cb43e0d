// Storage quotas and the free-space guard (issue 12, docs/decisions.md 67). Before an upload reads
// a byte: a known size (Content-Length, a part) that would take the owner past its quota is 413,
// naming the quota and the usage; one that would leave the data disk below the reserve is 507.
// An unknown size gets a cut-off (limitBytes): the stream fails as it crosses what is left, and
// the blob store then removes what it had written. Usage is read at admission, not reserved:
// uploads racing each other may together overshoot by at most what they had in flight.
import { Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '../errors.js';
import type { Caller } from '../model.js';
import type { FreeSpace } from '../ports/freeSpace.js';
import type { MetadataStore } from '../ports/metadataStore.js';

export interface QuotaPolicy {
  /** Applies to users without a quota of their own; 0 = none. */
  defaultQuotaBytes: number;
  /** Uploads are refused when the data disk would keep fewer than this many bytes free; 0 = no guard. */
  minFreeBytes: number;
}

export interface Admission {
  /** Bytes this upload may still write, when its size is unknown (undefined: no cut-off needed). */
  remaining: number | undefined;
  /** Builds the error for crossing `remaining` while streaming. */
  exceeded(): DomainError;
}

export class QuotaService {
  constructor(private readonly deps: { metadata: MetadataStore; policy: QuotaPolicy; freeSpace?: FreeSpace }) {}

  /** The quota that applies to a user: its own (`known` when already read), else the instance default (undefined: none). */
  async quotaOf(userId: number, known?: number | null): Promise<number | undefined> {
    const own = known !== undefined ? known : await this.deps.metadata.accounts.getQuota(userId);
    const quota = own ?? this.deps.policy.defaultQuotaBytes;
    return quota > 0 ? quota : undefined;
  }

  async admit(caller: Caller, declaredBytes: number | undefined): Promise<Admission> {
    const [quota, available] = await Promise.all([
      this.quotaOf(caller.user.id, caller.quotaBytes),
      this.deps.policy.minFreeBytes > 0 ? this.deps.freeSpace?.availableBytes() : undefined,
    ]);
    let remaining: number | undefined;
    let exceeded = (): DomainError => new DomainError('QUOTA_EXCEEDED');
    if (quota !== undefined) {
      const usage = await this.deps.metadata.accounts.usageOf(caller.user.id);
      const used = usage.bytes + usage.stagedBytes;
      const message = (size: string) =>
        `This upload (${size}) would exceed your storage quota of ${quota} bytes: you use ${used} bytes (${usage.bytes} stored, ${usage.stagedBytes} in open multipart sessions). Delete files or revisions, or ask an admin for a larger quota.`;
      if (declaredBytes !== undefined && used + declaredBytes > quota) {
        throw new DomainError('QUOTA_EXCEEDED', message(`${declaredBytes} bytes`), { details: { quotaBytes: quota, usedBytes: used } });
      }
      remaining = Math.max(0, quota - used);
      exceeded = () =>
        new DomainError('QUOTA_EXCEEDED', message(`more than the ${quota - used} bytes left`), { details: { quotaBytes: quota, usedBytes: used } });
    }
    if (available !== undefined) {
      const spare = available - this.deps.policy.minFreeBytes;
      const message = `The data disk has ${available} bytes free and keeps at least ${this.deps.policy.minFreeBytes} (--min-free-bytes): uploads are refused until space is freed.`;
      if (spare <= 0 || (declaredBytes !== undefined && declaredBytes > spare)) throw new DomainError('INSUFFICIENT_STORAGE', message);
      if (remaining === undefined || spare < remaining) {
        remaining = spare;
        exceeded = () => new DomainError('INSUFFICIENT_STORAGE', message);
      }
    }
    // A declared size was checked above, and an HTTP body cannot outgrow its Content-Length: no
    // cut-off needed (nor its cost on every byte).
    return { remaining: declaredBytes === undefined ? remaining : undefined, exceeded };
  }
}

/** Passes bytes through until more than `limit` went by, then fails with `exceeded()`. */
export function limitBytes(limit: number, exceeded: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(exceeded());
      else done(null, chunk);
    },
  });
}
