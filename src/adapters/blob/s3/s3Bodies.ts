// Moving caller bodies into S3 requests without holding them in memory: reading a body so that
// an aborted signal wins even over a body stuck forever, checking an announced length, and
// sending a request whose body is a stream so that a failing body fails the request at once.
// And the other way: S3's answer bodies, whose failures mid-read are translated like a request's.
import { finished, PassThrough, Readable } from 'node:stream';
import { DomainError } from '../../../core/errors.js';
import type { ByteSource } from '../../../core/ports/blobStore.js';
import { untilAborted } from '../untilAborted.js';
import { toDomainError, withS3Errors } from './s3Client.js';

/**
 * The body's chunks as Buffers. Rejects with the signal's reason as soon as it aborts, even when
 * the body is a generator stuck awaiting (which nothing can interrupt from outside), and releases
 * the body if the reader stops early.
 */
export async function* chunksOf(body: ByteSource, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const iterator = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const next = await untilAborted(iterator.next(), signal);
      if (next.done) {
        exhausted = true;
        return;
      }
      const chunk = next.value;
      yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
  } finally {
    if (!exhausted) {
      if (body instanceof Readable) body.destroy();
      // Not awaited: a generator stuck awaiting answers return() only when it wakes, maybe never.
      iterator.return?.().catch(() => undefined);
    }
  }
}

/**
 * An S3 answer's body whose failures are translated like the request's own: a connection reset or
 * an idle timeout in the middle of a body (S3 frozen or gone while it streamed) is the store being
 * unavailable, DEPENDENCY_UNAVAILABLE, as it is before the headers; untranslated, the commit that
 * was reading the body answered 500 (docs/decisions.md 185). One more stream hop per chunk: the
 * SDK's body is Node's own response, whose errors no option of the client translates.
 */
export function translatedBody(body: Readable): Readable {
  const out = new PassThrough({ highWaterMark: body.readableHighWaterMark });
  // `finished` also reports a body that failed before it was wrapped, and one closed early
  // without an error, which `pipe` would leave its reader waiting for forever.
  finished(body, { writable: false }, (error) => {
    if (error) out.destroy(toDomainError(error) as Error);
  });
  // The reader sees the error through its own listener (for await, Fastify's send). Without one of
  // ours, a body failing before anyone reads it would be rethrown by pipe as an uncaught exception.
  out.on('error', () => undefined);
  // A reader that stops early releases the connection.
  out.on('close', () => body.destroy());
  return body.pipe(out);
}

/** Rethrows a failure of an S3 body read as a domain error (see translatedBody). */
export async function* translatedChunks(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* body;
  } catch (error) {
    throw toDomainError(error);
  }
}

/**
 * Passes `source` through, failing if it turns out longer or shorter than `expectedBytes`.
 *
 * Each chunk is passed on only once the next one (or the end) has come, so the last chunk leaves
 * only after the source has ended without failing. A request of announced length is complete as
 * soon as its last byte is sent: S3 may answer and store the object before the source's end is
 * read. A body that fails at its very end (the part checksum, checked in PartHasher's flush, which
 * waits for a hashing thread) must fail before that, or a mismatched part would be stored and its
 * put would resolve while the hasher is still finishing.
 */
export async function* exactly(source: AsyncIterable<Buffer>, expectedBytes: number): AsyncGenerator<Buffer> {
  let seen = 0;
  let held: Buffer | undefined;
  for await (const chunk of source) {
    seen += chunk.length;
    if (seen > expectedBytes) throw new DomainError('BAD_REQUEST', `The body has more bytes than the ${expectedBytes} announced.`);
    if (held) yield held;
    held = chunk;
  }
  if (seen < expectedBytes) throw new DomainError('TRUNCATED_BODY');
  if (held) yield held;
}

/**
 * Sends one request whose body is `source`, streamed. The HTTP layer underneath pipes the body
 * into the request and would never notice the body failing (the request would wait for the
 * missing bytes until it timed out), so a failing body aborts the request itself, and the body's
 * own error is what the caller gets. An aborted signal likewise aborts the request and rejects
 * with the signal's reason; S3 errors are translated.
 */
export async function sendStreamingBody<T>(
  source: AsyncIterable<Buffer>,
  signal: AbortSignal | undefined,
  send: (body: Readable, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let sourceFailure: { error: unknown } | undefined;
  async function* watched(): AsyncGenerator<Buffer> {
    try {
      yield* source;
    } catch (error) {
      sourceFailure = { error };
      controller.abort(error);
      throw error;
    }
  }
  const body = Readable.from(watched(), { objectMode: false });
  body.on('error', () => undefined); // reported through sourceFailure, not as an unhandled event
  try {
    return await withS3Errors(undefined, () => send(body, controller.signal));
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (sourceFailure) throw sourceFailure.error;
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    body.destroy();
  }
}
