// Cutting a file into parts. The file is a Blob: a browser File, or in Node the Blob that
// fs.openAsBlob(path) returns, which reads from disk only the slice asked for, so the SDK itself
// needs no file-system access.
import type { IncrementalHash } from './sha256.js';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
/** The bounds for a part: at least 5 MiB, at most 5 GiB; 16 MiB unless told. */
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * GIB;
export const DEFAULT_PART_SIZE = 16 * MIB;
/** spec: "Part number for ordering (1–10,000)". */
export const MAX_PARTS = 10_000;

export interface PartPlan {
  /** 1-based, as the API numbers parts. */
  index: number;
  start: number;
  /** Exclusive. */
  end: number;
}

export function validatePartSize(partSize: number): void {
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    throw new RangeError(`partSize must be a whole number of bytes from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB); got ${partSize}.`);
  }
}

/**
 * The part size for a file: the caller's (checked), or 16 MiB grown in whole MiB until the file
 * fits in 10,000 parts.
 */
export function choosePartSize(fileSize: number, requested?: number): number {
  if (requested !== undefined) {
    validatePartSize(requested);
    if (Math.ceil(fileSize / requested) > MAX_PARTS) {
      throw new RangeError(`A ${fileSize}-byte file in ${requested}-byte parts needs more than ${MAX_PARTS} parts; choose a larger partSize.`);
    }
    return requested;
  }
  const needed = Math.ceil(fileSize / MAX_PARTS / MIB) * MIB;
  const size = Math.max(DEFAULT_PART_SIZE, needed);
  if (size > MAX_PART_SIZE) throw new RangeError(`A ${fileSize}-byte file is larger than ${MAX_PARTS} parts of 5 GiB.`);
  return size;
}

export function planParts(fileSize: number, partSize: number): PartPlan[] {
  const parts: PartPlan[] = [];
  for (let start = 0, index = 1; start < fileSize; start += partSize, index += 1) {
    parts.push({ index, start, end: Math.min(fileSize, start + partSize) });
  }
  return parts;
}

/**
 * Node: the part's bytes read into `buffer` (one per part in flight, reused from part to part) and
 * hashed as they arrive; answers the bytes read and their SHA-256 (upper-case hex). A fresh 16 MiB
 * buffer per part, as arrayBuffer() allocates (after gathering the chunks in buffers of their own),
 * cost the client more in page faults and garbage collection than the copy into this one
 * (docs/decisions.md 173).
 */
export async function readPartInto(file: Blob, part: PartPlan, buffer: Uint8Array, hash: IncrementalHash): Promise<{ bytes: Uint8Array; sha256: string }> {
  const reader = file.slice(part.start, part.end).stream().getReader();
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.byteLength > buffer.byteLength) {
      await reader.cancel();
      throw new Error(`Part ${part.index} of the file is longer than the ${buffer.byteLength} bytes planned: was the file changed?`);
    }
    hash.update(value);
    buffer.set(value, length);
    length += value.byteLength;
  }
  return { bytes: buffer.subarray(0, length), sha256: hash.digest('hex').toUpperCase() };
}

/** The part's bytes, read into memory (to hash them and send them without reading twice). */
export async function readPart(file: Blob, part: PartPlan): Promise<ArrayBuffer> {
  return file.slice(part.start, part.end).arrayBuffer();
}
