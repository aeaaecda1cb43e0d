// The file an upload sends. On both surfaces, a multipart form whose field `file` holds it
// (spec: "Upload a file"); on the Product surface also the raw bytes as the whole body, typed by
// Content-Type (spec: product-api.md, P1 and P2). Either way the bytes are a stream handed to the
// same write path (storeContent), under the same --max-file-bytes limit.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream';
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

/** Counts bytes through, and fails the stream past `maxBytes` (a chunked body names no length). */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) callback(new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${this.maxBytes} bytes this server accepts.`));
    else callback(null, chunk);
  }
}

/** The body's media type, without its parameters; absent or unparseable: none (detection decides). */
function declaredType(request: FastifyRequest): string | undefined {
  const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(;|$)/.exec(headerOf(request, 'content-type') ?? '');
  return match?.[1].toLowerCase();
}

export async function readUploadBody(request: FastifyRequest, reply: FastifyReply, options: { surface: ApiSurface; maxFileBytes: number }): Promise<FormFile> {
  if (!options.surface.rawUploads || isMultipart(request)) return readFormFile(request.raw, { maxFileBytes: options.maxFileBytes });
  const length = headerOf(request, 'content-length');
  if (length !== undefined && /^\s*[0-9]{1,16}\s*$/.test(length) && Number(length) > options.maxFileBytes) {
    // Refused before a byte is read; the connection closes rather than swallow the body.
    reply.header('connection', 'close');
    throw new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${options.maxFileBytes} bytes this server accepts.`);
  }
  const limited = pipeline(request.raw, new ByteLimit(options.maxFileBytes), () => {});
  // As the form's stream: whoever consumes it sees its errors; unconsumed, they are not a crash.
  limited.on('error', () => {});
  return { stream: limited, mimeType: declaredType(request) };
}
