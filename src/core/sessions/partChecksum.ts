// A part's bytes are measured as they stream to storage (size, SHA-256, MD5), never buffered.
// docs/decisions.md 8: "SHA-256, 64 hex digits, any case. A mismatch is 400 and the part is not
// stored." The check happens before the part becomes visible: PartHasher fails in its flush, at
// the end of the body, so the blob store sees a failed body, discards its temporary file and keeps
// the part it had (BlobStore.putPart: "Rejects, leaving the old part, if the body fails").
import { Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '../errors.js';
import type { DigestStream, Hasher } from '../ports/hasher.js';

const SHA256_HEX = /^[0-9A-Fa-f]{64}$/;

/** The client's `checksum`, upper-cased (docs/decisions.md 3), or undefined when none was sent. */
export function parseExpectedChecksum(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!SHA256_HEX.test(text)) throw new DomainError('BAD_REQUEST', "checksum must be the part's SHA-256: 64 hex digits.");
  return text.toUpperCase();
}

/** Receives every byte of the part as it passes (to extend a whole-file hash without re-reading). */
export interface ByteTap {
  /** A returned promise asks for the next chunk to wait (backpressure). */
  update(chunk: Buffer): void | Promise<void>;
}

export interface MeasuredPart {
  sizeBytes: number;
  /** Upper-case hex. */
  sha256: string;
}

/** Hashed by the hashing engine it is given (src/core/ports/hasher.ts), as single uploads are. */
export class PartHasher extends Transform {
  private readonly digest: DigestStream<'sha256'>;
  private sizeBytes = 0;
  private result: MeasuredPart | undefined;

  constructor(
    private readonly options: {
      expectedSha256?: string;
      maxBytes: number;
      tap?: ByteTap;
      /** Computes the part's SHA-256. */
      hasher: Hasher;
      /** Asked before each chunk; a returned promise holds the chunk back (see WholeFileHasher.backlogWait). */
      throttle?: () => Promise<void> | undefined;
    },
  ) {
    super();
    // Only the SHA-256: it is what the client's checksum is checked against and what names the
    // part's version for the whole-file hash. The file's MD5 is the whole file's (docs/decisions.md 23),
    // computed once by WholeFileHasher; a per-part MD5 would only cost CPU (docs/history.md, issue 6).
    this.digest = options.hasher.stream(['sha256']);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sizeBytes += chunk.length;
    // Refused as soon as it is too large, not after the whole body has been written.
    if (this.sizeBytes > this.options.maxBytes) {
      callback(new DomainError('PAYLOAD_TOO_LARGE', `A part may be at most ${this.options.maxBytes} bytes.`));
      return;
    }
    const hashing = this.digest.update(chunk);
    const tapping = this.options.tap?.update(chunk);
    const throttling = this.options.throttle?.();
    // A hashing engine that is behind holds the next chunk back (and so the client's upload).
    if (hashing || tapping || throttling) Promise.all([hashing, tapping, throttling]).then(() => callback(null, chunk), callback);
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest.finish().then((digests) => {
      const sha256 = digests.sha256;
      const expected = this.options.expectedSha256;
      if (expected !== undefined && expected !== sha256) {
        callback(new DomainError('CHECKSUM_MISMATCH', `The part's SHA-256 is ${sha256}, not the ${expected} its checksum says; the part was not stored.`));
        return;
      }
      this.result = { sizeBytes: this.sizeBytes, sha256 };
      callback();
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.result) this.digest.abort();
    callback(error);
  }

  /** Only valid once the body has ended and passed the checksum. */
  measured(): MeasuredPart {
    if (!this.result) throw new Error('PartHasher.measured() called before the part was complete');
    return this.result;
  }
}
