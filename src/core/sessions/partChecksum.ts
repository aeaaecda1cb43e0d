// A part's bytes are measured as they stream to storage (size, SHA-256, MD5), never buffered.
// decisions.md 8: "SHA-256, 64 hex digits, any case. A mismatch is 400 and the part is not
// stored." The check happens before the part becomes visible: PartHasher fails in its flush, at
// the end of the body, so the blob store sees a failed body, discards its temporary file and keeps
// the part it had (BlobStore.putPart: "Rejects, leaving the old part, if the body fails").
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '../errors.js';

const SHA256_HEX = /^[0-9A-Fa-f]{64}$/;

/** The client's `checksum`, upper-cased (decisions.md 3), or undefined when none was sent. */
export function parseExpectedChecksum(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!SHA256_HEX.test(text)) throw new DomainError('BAD_REQUEST', "checksum must be the part's SHA-256: 64 hex digits.");
  return text.toUpperCase();
}

/** Receives every byte of the part as it passes (to extend a whole-file hash without re-reading). */
export interface ByteTap {
  update(chunk: Buffer): void;
}

export interface MeasuredPart {
  sizeBytes: number;
  /** Upper-case hex. */
  sha256: string;
  md5: string;
}

export class PartHasher extends Transform {
  private readonly sha256: Hash = createHash('sha256');
  private readonly md5: Hash = createHash('md5');
  private sizeBytes = 0;
  private result: MeasuredPart | undefined;

  constructor(private readonly options: { expectedSha256?: string; maxBytes: number; tap?: ByteTap }) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sizeBytes += chunk.length;
    // Refused as soon as it is too large, not after the whole body has been written.
    if (this.sizeBytes > this.options.maxBytes) {
      callback(new DomainError('PAYLOAD_TOO_LARGE', `A part may be at most ${this.options.maxBytes} bytes.`));
      return;
    }
    this.sha256.update(chunk);
    this.md5.update(chunk);
    this.options.tap?.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const measured = {
      sizeBytes: this.sizeBytes,
      sha256: this.sha256.digest('hex').toUpperCase(),
      md5: this.md5.digest('hex').toUpperCase(),
    };
    const expected = this.options.expectedSha256;
    if (expected !== undefined && expected !== measured.sha256) {
      callback(new DomainError('CHECKSUM_MISMATCH', `The part's SHA-256 is ${measured.sha256}, not the ${expected} its checksum says; the part was not stored.`));
      return;
    }
    this.result = measured;
    callback();
  }

  /** Only valid once the body has ended and passed the checksum. */
  measured(): MeasuredPart {
    if (!this.result) throw new Error('PartHasher.measured() called before the part was complete');
    return this.result;
  }
}
