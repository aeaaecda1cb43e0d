// Reading a blob, or an inclusive byte range of it, as one stream over one or more files. A blob
// written by put is a single file; a composite blob is its parts in order. Either way a read is a
// list of (file, start, end) segments streamed back to back, so a range may begin and end inside
// any part and cross any number of part boundaries.
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { addAbortSignal, Readable, type Writable } from 'node:stream';
import { DomainError } from '../../core/errors.js';
import type { ByteRange, SendsItself } from '../../core/ports/blobStore.js';
import { isMissingPathError } from './fileSystemErrors.js';
import { untilAborted } from './untilAborted.js';

/**
 * Bytes per read of a file being served. A download costs a read and a socket write per chunk,
 * and with 64 KiB chunks that per-chunk cost (not copying) bounded a download to about a third of
 * what nginx serves with sendfile (docs/history.md, issue 6). Larger chunks gain nothing more here.
 */
export const READ_CHUNK_BYTES = 1024 * 1024;

export interface StoredPiece {
  filePath: string;
  sizeBytes: number;
}

export interface FileSegment {
  filePath: string;
  /** Inclusive offsets within the file. */
  start: number;
  end: number;
}

/**
 * The inclusive span to read, or undefined for nothing (an empty blob read whole). Like S3 and
 * HTTP, an end past the last byte is cut at the last byte; a start past it cannot be served.
 */
export function resolveRange(range: ByteRange | undefined, sizeBytes: number): ByteRange | undefined {
  if (range === undefined) return sizeBytes === 0 ? undefined : { start: 0, end: sizeBytes - 1 };
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new DomainError('BAD_REQUEST', 'A byte range needs whole numbers with 0 <= start <= end.');
  }
  if (start >= sizeBytes) throw new DomainError('RANGE_NOT_SATISFIABLE');
  return { start, end: Math.min(end, sizeBytes - 1) };
}

/** The pieces of `pieces` (laid end to end) that overlap `span`, as offsets within each file. */
export function planSegments(pieces: readonly StoredPiece[], span: ByteRange | undefined): FileSegment[] {
  if (span === undefined) return [];
  const segments: FileSegment[] = [];
  let pieceStart = 0;
  for (const piece of pieces) {
    const pieceEnd = pieceStart + piece.sizeBytes - 1;
    if (piece.sizeBytes > 0 && pieceEnd >= span.start && pieceStart <= span.end) {
      segments.push({
        filePath: piece.filePath,
        start: Math.max(span.start, pieceStart) - pieceStart,
        end: Math.min(span.end, pieceEnd) - pieceStart,
      });
    }
    if (pieceStart > span.end) break;
    pieceStart = pieceEnd + 1;
  }
  return segments;
}

/** Buffers a stream sending itself keeps in rotation: one being read while others are being sent. */
export const SEND_BUFFERS = 3;

/** How a stream opens its segments' files, and what it tells when it is over. */
export interface SegmentFiles {
  /** Opens a segment's file (default: `filePath` as it is; NOT_FOUND if missing). */
  open(filePath: string): Promise<FileHandle>;
  /** Called once when the stream is done: ended, failed or destroyed (or could not start). */
  closed?(): void;
}

const PLAIN_FILES: SegmentFiles = { open: openSegmentFile };

/**
 * One stream over every segment in order. The first file is opened before returning, so a blob
 * deleted a moment ago is reported as NOT_FOUND by the call rather than as a stream error; later
 * files are opened only when reached, so a blob of 10,000 parts never holds 10,000 descriptors.
 */
export async function streamSegments(segments: readonly FileSegment[], signal?: AbortSignal, files: SegmentFiles = PLAIN_FILES): Promise<Readable> {
  let firstHandle: FileHandle | undefined;
  try {
    signal?.throwIfAborted();
    firstHandle = segments.length > 0 ? await files.open(segments[0].filePath) : undefined;
  } catch (error) {
    files.closed?.();
    throw error;
  }
  const stream = new SegmentedFileStream(segments, firstHandle, files);
  return signal ? addAbortSignal(signal, stream) : stream;
}

/**
 * The bytes of the segments, back to back: readable as any stream (a new buffer per chunk), or,
 * before anything has been read, sent whole with sendTo (a few buffers reused throughout).
 * Written here rather than with fs.createReadStream, which can do only the former.
 */
class SegmentedFileStream extends Readable implements SendsItself {
  private index = 0;
  /** Next byte to read within segments[index]. */
  private position: number;
  private sending = false;

  constructor(
    private readonly segments: readonly FileSegment[],
    /** Open on segments[index], or undefined until reached. */
    private handle: FileHandle | undefined,
    private readonly files: SegmentFiles,
  ) {
    super({ highWaterMark: READ_CHUNK_BYTES });
    this.position = segments[0]?.start ?? 0;
  }

  override _read(): void {
    this.readNext(undefined).then(
      (chunk) => this.push(chunk ?? null),
      (error: Error) => this.destroy(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = undefined;
    const done = () => {
      this.files.closed?.();
      callback(error);
    };
    // close() waits for a read in flight on the handle.
    if (handle) handle.close().then(done, done);
    else done();
  }

  async sendTo(destination: Writable): Promise<void> {
    if (this.sending || this.readableDidRead) throw new Error('sendTo() needs a stream nothing has read yet');
    this.sending = true;
    const gone = new AbortController();
    const onGone = () => gone.abort(new DomainError('CLIENT_CLOSED'));
    const onSourceGone = () => gone.abort(this.errored ?? new DomainError('CLIENT_CLOSED'));
    destination.once('close', onGone);
    destination.once('error', onGone);
    this.once('close', onSourceGone); // destroyed by its abort signal
    const free: Buffer[] = [];
    for (let count = 0; count < SEND_BUFFERS; count++) free.push(Buffer.allocUnsafeSlow(READ_CHUNK_BYTES));
    let bufferReturned: (() => void) | undefined;
    try {
      for (;;) {
        while (free.length === 0) await untilAborted(new Promise<void>((resolve) => (bufferReturned = resolve)), gone.signal);
        const buffer = free.pop()!;
        const chunk = await this.readNext(buffer);
        gone.signal.throwIfAborted();
        if (chunk === undefined) break;
        // The write's callback runs once the destination no longer needs the bytes: only then is
        // the buffer read into again.
        const accepted = destination.write(chunk, () => {
          free.push(buffer);
          bufferReturned?.();
          bufferReturned = undefined;
        });
        if (!accepted) await untilAborted(once(destination, 'drain'), gone.signal);
      }
      destination.end();
    } finally {
      destination.removeListener('close', onGone);
      destination.removeListener('error', onGone);
      this.removeListener('close', onSourceGone);
      this.destroy();
    }
  }

  /**
   * The next chunk (at most READ_CHUNK_BYTES, read into `into` when given, else into a new
   * buffer), or undefined after the last segment.
   */
  private async readNext(into: Buffer | undefined): Promise<Buffer | undefined> {
    for (;;) {
      const segment = this.segments[this.index];
      if (segment === undefined) return undefined;
      if (this.position > segment.end) {
        const done = this.handle;
        this.handle = undefined;
        await done?.close();
        this.index += 1;
        this.position = this.segments[this.index]?.start ?? 0;
        continue;
      }
      if (this.destroyed) throw new DomainError('CLIENT_CLOSED');
      this.handle ??= await this.files.open(segment.filePath);
      if (this.destroyed) {
        // Destroyed while the file was opening: _destroy has run already and cannot close it.
        await this.handle.close();
        this.handle = undefined;
        throw new DomainError('CLIENT_CLOSED');
      }
      const length = Math.min(READ_CHUNK_BYTES, segment.end - this.position + 1);
      const buffer = into ?? Buffer.allocUnsafeSlow(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, this.position);
      // Sizes come from the store's own records; a shorter file is a damaged store, not the end.
      if (bytesRead === 0) throw new Error(`${segment.filePath} is shorter than its recorded size`);
      this.position += bytesRead;
      return buffer.subarray(0, bytesRead);
    }
  }
}

async function openSegmentFile(filePath: string): Promise<FileHandle> {
  try {
    return await open(filePath, 'r');
  } catch (error) {
    if (isMissingPathError(error)) throw new DomainError('NOT_FOUND', 'No blob with that key.', { cause: error });
    throw error;
  }
}
