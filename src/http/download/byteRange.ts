// RFC 9110 §14: a single byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`). Several ranges in one
// request (multipart/byteranges) are answered with the whole body, which the RFC allows.
import type { ByteRange } from '../../core/ports/blobStore.js';

export type RangeAnswer = { kind: 'whole' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

export function resolveRange(header: string | undefined, sizeBytes: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  // A malformed or multi-range header is ignored: the RFC says a server MAY ignore Range.
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'whole' };
  const [, first, last] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || sizeBytes === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, sizeBytes - suffix), end: sizeBytes - 1 } };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= sizeBytes) return { kind: 'unsatisfiable' };
  const end = last === '' ? sizeBytes - 1 : Math.min(Number(last), sizeBytes - 1);
  if (!Number.isSafeInteger(end) || end < start) return { kind: 'whole' };
  return { kind: 'partial', range: { start, end } };
}
