// How completeUpload turns staged parts (objects of any size) into the parts of one S3 multipart
// upload, whose every part but the last must be 5 MiB to 5 GiB. Pure planning, no I/O.
//
// Each target part is either
//   copy    one byte range of one staged object, copied by S3 itself (UploadPartCopy): no byte
//           passes through this server;
//   stream  byte ranges of several staged objects, read and sent back as one UploadPart by this
//           server, with its length known in advance (nothing is buffered).
// The plan copies whatever it can: a staged part of 5 MiB or more that starts a target part is
// copied whole (split at 5 GiB). Small staged parts are gathered into streamed target parts of
// exactly 5 MiB, topped up from the start of the next staged part if need be; the rest of that
// part is copied again. So when every staged part but the last is at least 5 MiB, everything is
// copied; otherwise at most 5 MiB per run of small parts passes through the server.
export interface StagedPiece {
  objectName: string;
  sizeBytes: number;
}

/** Inclusive byte offsets within one staged object. */
export interface Segment {
  objectName: string;
  start: number;
  end: number;
}

export type TargetPart =
  { kind: 'copy'; segment: Segment; sizeBytes: number; wholeObject: boolean } | { kind: 'stream'; segments: Segment[]; sizeBytes: number };

export interface PlanLimits {
  minPartBytes: number;
  maxPartBytes: number;
  maxParts: number;
}

const MiB = 1024 * 1024;
export const S3_LIMITS: PlanLimits = { minPartBytes: 5 * MiB, maxPartBytes: 5 * 1024 * MiB, maxParts: 10_000 };

/** The target parts, in order; empty when the pieces hold no bytes at all. */
export function planAssembly(pieces: readonly StagedPiece[], limits: PlanLimits = S3_LIMITS): TargetPart[] {
  const mixed = planCopyingWhatItCan(pieces, limits);
  if (mixed.length <= limits.maxParts) return mixed;
  // Thousands of alternating small and large parts could need more target parts than S3 allows:
  // then stream everything, in parts large enough to stay within the limit.
  const totalBytes = pieces.reduce((total, piece) => total + piece.sizeBytes, 0);
  const partBytes = Math.max(limits.minPartBytes, Math.ceil(totalBytes / limits.maxParts));
  if (partBytes > limits.maxPartBytes) throw new RangeError('The upload is larger than S3 can assemble.');
  return planStreamingAll(pieces, partBytes);
}

function planCopyingWhatItCan(pieces: readonly StagedPiece[], limits: PlanLimits): TargetPart[] {
  const { minPartBytes, maxPartBytes } = limits;
  const plan: TargetPart[] = [];
  let gathering: Segment[] = [];
  let gatheredBytes = 0;
  const closeGathered = (): void => {
    if (gathering.length > 0) plan.push({ kind: 'stream', segments: gathering, sizeBytes: gatheredBytes });
    gathering = [];
    gatheredBytes = 0;
  };

  for (const piece of pieces) {
    let offset = 0;
    while (offset < piece.sizeBytes) {
      const remaining = piece.sizeBytes - offset;
      if (gatheredBytes === 0 && remaining >= minPartBytes) {
        let length = Math.min(remaining, maxPartBytes);
        // Never leave a tail too small to be copied on its own.
        if (remaining > length && remaining - length < minPartBytes) length = remaining - minPartBytes;
        plan.push({
          kind: 'copy',
          segment: { objectName: piece.objectName, start: offset, end: offset + length - 1 },
          sizeBytes: length,
          wholeObject: length === piece.sizeBytes,
        });
        offset += length;
      } else {
        const length = Math.min(remaining, minPartBytes - gatheredBytes);
        gathering.push({ objectName: piece.objectName, start: offset, end: offset + length - 1 });
        gatheredBytes += length;
        offset += length;
        if (gatheredBytes >= minPartBytes) closeGathered();
      }
    }
  }
  // The last part may be small. If it is a single range, S3 can copy it as well.
  if (gathering.length === 1) {
    const [segment] = gathering;
    const piece = pieces.find((candidate) => candidate.objectName === segment.objectName);
    plan.push({ kind: 'copy', segment, sizeBytes: gatheredBytes, wholeObject: segment.start === 0 && segment.end + 1 === piece?.sizeBytes });
  } else {
    closeGathered();
  }
  return plan;
}

function planStreamingAll(pieces: readonly StagedPiece[], partBytes: number): TargetPart[] {
  const plan: TargetPart[] = [];
  let segments: Segment[] = [];
  let bytes = 0;
  for (const piece of pieces) {
    let offset = 0;
    while (offset < piece.sizeBytes) {
      const length = Math.min(piece.sizeBytes - offset, partBytes - bytes);
      segments.push({ objectName: piece.objectName, start: offset, end: offset + length - 1 });
      bytes += length;
      offset += length;
      if (bytes === partBytes) {
        plan.push({ kind: 'stream', segments, sizeBytes: bytes });
        segments = [];
        bytes = 0;
      }
    }
  }
  if (segments.length > 0) plan.push({ kind: 'stream', segments, sizeBytes: bytes });
  return plan;
}
