// Measures bytes as they stream past, without holding them: size, MD5 and SHA-256 (the write
// path hashes "as bytes pass; never buffer the whole thing", docs/architecture.md), and keeps the first
// bytes so the content type can be recognised from its magic number afterwards.
//
// Chunks are passed on at once; the hashes are computed by the hashing engine it is given (the
// Hasher port, src/core/ports/hasher.ts; in a server, worker threads beside the event loop, so
// hashing overlaps parsing and writing instead of alternating with them). An engine that falls
// behind holds the next chunk back (backpressure), and the stream ends only once both digests are
// known.
import { Transform, type TransformCallback } from 'node:stream';
import type { DigestStream, Hasher } from '../ports/hasher.js';

/** file-type reads at most this many leading bytes to recognise a format. */
export const SNIFF_BYTES = 4100;

/**
 * Chunks the meter may hold for its reader. Larger than a stream's default so that a reader busy
 * with one write does not stall the parsing and hashing of the next chunks; small, because every
 * upload in flight holds it (docs/history.md, issue 6: peak RSS of 4 concurrent uploads under 200 MiB).
 */
const READ_AHEAD_BYTES = 256 * 1024;

export interface Measured {
  sizeBytes: number;
  /** Upper-case hex (docs/decisions.md 3). */
  md5: string;
  sha256: string;
  head: Uint8Array;
}

export class ContentMeter extends Transform {
  private readonly digest: DigestStream<'md5' | 'sha256'>;
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private sizeBytes = 0;
  private result: Measured | undefined;

  constructor(hasher: Hasher) {
    super({ readableHighWaterMark: READ_AHEAD_BYTES });
    this.digest = hasher.stream(['md5', 'sha256']);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sizeBytes += chunk.length;
    if (this.headLength < SNIFF_BYTES) {
      const wanted = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(wanted));
      this.headLength += wanted.length;
    }
    const hashing = this.digest.update(chunk);
    if (hashing) hashing.then(() => callback(null, chunk), callback);
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest.finish().then(({ md5, sha256 }) => {
      this.result = {
        sizeBytes: this.sizeBytes,
        md5,
        sha256,
        head: Buffer.concat(this.headChunks),
      };
      callback();
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.result) this.digest.abort();
    callback(error);
  }

  /** The measurements; only valid once every byte has passed through. */
  measured(): Measured {
    if (!this.result) throw new Error('ContentMeter.measured() called before the stream ended');
    return this.result;
  }
}

/** A meter for one upload: reusable by any write path (single uploads, revisions, parts). */
export function createContentMeter(hasher: Hasher): ContentMeter {
  return new ContentMeter(hasher);
}
