// Requests refused before Fastify has a route for them still answer in Domo's shape
// (docs/decisions.md 4), with a request id as `toe` and X-Request-Id:
//  - a Host header missing (HTTP/1.1) or repeated;
//  - framework errors: a path that is not valid percent-encoding, a path parameter over the
//    router's length limit;
//  - client errors raised by Node's HTTP parser before any request exists: bytes that are not
//    HTTP, a request head over the 16 KiB limit (431), a bare CR or NUL in a header.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_CATALOGUE } from '../core/errors.js';
import { domoError, errorToResponse, sendError, statusReason } from './errorResponse.js';

/**
 * RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
 * request message that lacks a Host header field and to any request message that contains more
 * than one Host header field line". (Node keeps the first of several Host lines silently.)
 */
export function requireOneHost(request: FastifyRequest): void {
  const { rawHeaders, httpVersion } = request.raw;
  let hosts = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) if (rawHeaders[index].toLowerCase() === 'host') hosts += 1;
  if (hosts > 1) throw new DomainError('BAD_REQUEST', 'A request has at most one Host header.');
  if (hosts === 0 && httpVersion === '1.1') throw new DomainError('BAD_REQUEST', 'An HTTP/1.1 request needs a Host header.');
}

export function frameworkErrorHandler(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  sendError(reply, errorToResponse(error, request));
}

/** Node's own mapping of parser errors to statuses (what its default handler would answer). */
function parserErrorStatus(code: string | undefined): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'The request head is larger than this server accepts.' };
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return { status: 413, message: 'The chunk extensions are larger than this server accepts.' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'The request took too long to arrive.' };
  // The client closed its side before sending the whole body it announced.
  if (code === 'HPE_INVALID_EOF_STATE') return { status: 400, message: ERROR_CATALOGUE.TRUNCATED_BODY.message };
  return { status: 400, message: 'The request is not valid HTTP.' };
}

export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: never write into a connection whose current response has begun.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  const { status, message } = parserErrorStatus(error.code);
  const toe = randomUUID();
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify(domoError({ status, message, toe }));
    socket.write(
      `HTTP/1.1 ${status} ${statusReason(status)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${toe}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  // Not the whole error: its rawPacket holds the request's bytes, tokens included.
  this.log.debug({ code: error.code, reason: (error as { reason?: string }).reason, reqId: toe }, 'refused a request the HTTP parser could not read');
  socket.destroy(error);
}
