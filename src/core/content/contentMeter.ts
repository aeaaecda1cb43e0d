// Measures bytes as they stream past, without holding them: size, MD5 and SHA-256 (the write
// path hashes "as bytes pass; never buffer the whole thing", architecture.md), and keeps the first
// bytes so the content type can be recognised from its magic number afterwards.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** file-type reads at most this many leading bytes to recognise a format. */
export const SNIFF_BYTES = 4100;

export interface Measured {
  sizeBytes: number;
  /** Upper-case hex (decisions.md 3). */
  md5: string;
  sha256: string;
  head: Uint8Array;
}

export class ContentMeter extends Transform {
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private sizeBytes = 0;
  private result: Measured | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sizeBytes += chunk.length;
    this.md5.update(chunk);
    this.sha256.update(chunk);
    if (this.headLength < SNIFF_BYTES) {
      const wanted = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(wanted));
      this.headLength += wanted.length;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = {
      sizeBytes: this.sizeBytes,
      md5: this.md5.digest('hex').toUpperCase(),
      sha256: this.sha256.digest('hex').toUpperCase(),
      head: Buffer.concat(this.headChunks),
    };
    callback();
  }

  /** The measurements; only valid once every byte has passed through. */
  measured(): Measured {
    if (!this.result) throw new Error('ContentMeter.measured() called before the stream ended');
    return this.result;
  }
}
