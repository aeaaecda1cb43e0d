// Requests refused before Fastify has a route for them still answer in Domo's shape
// (docs/decisions.md 4), with a request id as `toe` and X-Request-Id:
//  - a Host header missing (HTTP/1.1) or repeated;
//  - framework errors: a path that is not valid percent-encoding, a path parameter over the
//    router's length limit;
//  - client errors raised by Node's HTTP parser before any request exists: bytes that are not
//    HTTP, a request head over --max-header-bytes (431), a bare CR or NUL in a header, a head
//    slower than --headers-timeout-ms (408).
// A 431 or 413 here may come while the client is still sending its body: the answer is written,
// then the connection stays open (its bytes dropped by the failed parser) until the client
// closes it, --refused-body-drain-bytes more arrive or the idle timeout passes, so the client
// reads the answer rather than a reset (issue 10 item 18; docs/decisions.md 32).
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

export interface ClientErrorLimits {
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  refusedBodyDrainBytes: number;
}

/** Node's own mapping of parser errors to statuses (what its default handler would answer). */
function parserErrorStatus(code: string | undefined, limits: ClientErrorLimits): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      message: `The request head (URL and headers) is larger than the ${limits.maxHeaderBytes} bytes this server accepts (its --max-header-bytes); a file name is at most 1024 characters.`,
    };
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return { status: 413, message: 'The chunk extensions are larger than this server accepts.' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const whole = limits.requestTimeoutMs > 0 ? ` and the whole request within ${limits.requestTimeoutMs} ms (--request-timeout-ms)` : '';
    return {
      status: 408,
      message: `The request took too long to arrive: its head must arrive within ${limits.headersTimeoutMs} ms (--headers-timeout-ms)${whole}.`,
    };
  }
  // The client closed its side before sending the whole body it announced.
  if (code === 'HPE_INVALID_EOF_STATE') return { status: 400, message: ERROR_CATALOGUE.TRUNCATED_BODY.message };
  return { status: 400, message: 'The request is not valid HTTP.' };
}

/**
 * Sockets answered and left open for the client to finish sending, with the byte count past
 * which they close. The failed parser drops each later chunk and reports it here again.
 */
const lingering = new WeakMap<Socket, number>();

function lingerThenClose(socket: Socket, limits: ClientErrorLimits): void {
  lingering.set(socket, socket.bytesRead + limits.refusedBodyDrainBytes);
  const timer = setTimeout(() => socket.destroy(), limits.idleTimeoutMs);
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
}

export function clientErrorHandler(limits: ClientErrorLimits) {
  return function handleClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
    const stopAt = lingering.get(socket);
    if (stopAt !== undefined) {
      if (socket.bytesRead > stopAt) socket.destroy();
      return;
    }
    answerClientError.call(this, error, socket, limits);
  };
}

function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket, limits: ClientErrorLimits): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: never write into a connection whose current response has begun.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  const { status, message } = parserErrorStatus(error.code, limits);
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
  if ((status === 431 || status === 413) && socket.writable && !inFlight) lingerThenClose(socket, limits);
  else socket.destroy(error);
}
