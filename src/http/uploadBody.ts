// The file an upload sends. On both surfaces, a multipart form whose field `file` holds it
// (spec: "Upload a file"); on the Product surface also the raw bytes as the whole body, typed by
// Content-Type (spec: product-api.md, P1 and P2). Either way the bytes are a stream handed to the
// same write path (storeContent), under the same --max-file-bytes limit.
import type { FastifyRequest } from 'fastify';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { DomainError } from '../core/errors.js';
import { readFormFile, type FormFile } from './multipartForm.js';
import type { ApiSurface } from './surfaces.js';

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isMultipart(request: FastifyRequest): boolean {
  return /^\s*multipart\//i.test(headerOf(request, 'content-type') ?? '');
}

/** Whether the request carries a body at all (RFC 9112: a Content-Length above 0, or chunked). */
export function hasBody(request: FastifyRequest): boolean {
  if (headerOf(request, 'transfer-encoding') !== undefined) return true;
  const length = headerOf(request, 'content-length');
  return length !== undefined && length.trim() !== '0';
}

/**
 * The raw body, failed past `maxBytes` (a chunked body names no length). Like the form's file
 * stream (multipartForm.ts), it stops reading the request rather than destroy it, so the refusal
 * is answered (413, while refusedBody.ts drains the rest) instead of reading as a client that went away.
 */
function limitedBody(request: FastifyRequest, maxBytes: number): Readable {
  let seen = 0;
  const source = request.raw;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen <= maxBytes) return callback(null, chunk);
      source.unpipe(limited);
      callback(new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${maxBytes} bytes this server accepts.`));
    },
  });
  // pipe() does not pass the source's failure on: a body cut off (the client went away) must fail
  // the upload, never store what arrived as the whole file.
  source.once('error', (error) => limited.destroy(new DomainError('CLIENT_CLOSED', undefined, { cause: error })));
  source.once('close', () => {
    if (!source.complete) limited.destroy(new DomainError('TRUNCATED_BODY'));
  });
  source.pipe(limited);
  return limited;
}

/** The body's media type, without its parameters; absent or unparseable: none (detection decides). */
function declaredType(request: FastifyRequest): string | undefined {
  const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(;|$)/.exec(headerOf(request, 'content-type') ?? '');
  return match?.[1].toLowerCase();
}

/**
 * Refusals (413 here, or any later one) are answered while what is left of the body is drained
 * (refusedBody.ts); `signal` is the idle-body timeout (idleBody.ts), which fails the body with 408.
 */
export async function readUploadBody(request: FastifyRequest, options: { surface: ApiSurface; maxFileBytes: number; signal?: AbortSignal }): Promise<FormFile> {
  if (!options.surface.rawUploads || isMultipart(request)) return readFormFile(request.raw, { maxFileBytes: options.maxFileBytes, signal: options.signal });
  const length = headerOf(request, 'content-length');
  if (length !== undefined && /^\s*[0-9]{1,16}\s*$/.test(length) && Number(length) > options.maxFileBytes) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${options.maxFileBytes} bytes this server accepts.`);
  }
  const limited = limitedBody(request, options.maxFileBytes);
  options.signal?.addEventListener('abort', () => limited.destroy(options.signal?.reason as Error), { once: true });
  // As the form's stream: whoever consumes it sees its errors; unconsumed, they are not a crash.
  limited.on('error', () => {});
  return { stream: limited, mimeType: declaredType(request) };
}
