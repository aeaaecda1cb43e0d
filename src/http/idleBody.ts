// Stalled request bodies end (issue 10 item 1; docs/decisions.md 30). The server's socket
// inactivity timeout (--idle-timeout-ms, Node's server.timeout) fires when a connection moves no
// bytes either way for that long; Node then emits 'timeout' on a request whose body is still
// arriving. For such a request this module:
//  - does nothing when the server itself holds unread bytes (its reader is slow: backpressure,
//    not the client's stall; the next bytes it reads re-arm the timer);
//  - otherwise aborts the request's stall signal with a 408: the streamed upload routes pass it to
//    their readers, so the temporary file or staged part is removed and the route answers 408
//    (Connection: close, see refusedBody.ts); a body Fastify reads itself (JSON) is failed
//    through its own reader, which answers the same 408;
//  - closes the connection when the answer has begun or a second idle period passes.
// A response that has begun and stops moving (a download nobody reads) is closed. A request that
// has all arrived and whose answer has not begun is left alone: the server is still working on it
// (a long commit), and its own waits are bounded elsewhere (--dependency-timeout-ms).
// A connection with no request in flight is closed by Node itself (no listener, so it destroys).
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors.js';

interface BodyWatch {
  controller: AbortController;
  /** A route reads the body itself and listens to the stall signal. */
  consumed: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    bodyWatch: BodyWatch | null;
  }
}

/** The request announced a body (Content-Length above 0, or chunked). */
export function announcesBody(request: FastifyRequest): boolean {
  const { headers } = request;
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function watchIdleBodies(app: FastifyInstance, idleTimeoutMs: number): void {
  app.decorateRequest('bodyWatch', null);
  app.addHook('onRequest', (request, reply, done) => {
    reply.raw.on('timeout', onResponseIdle);
    if (announcesBody(request)) {
      request.bodyWatch = { controller: new AbortController(), consumed: false };
      request.raw.on('timeout', (socket: Socket) => onIdle(request, reply, socket, idleTimeoutMs));
    }
    done();
  });
}

/** Aborts (with a 408 DomainError) when the client stops sending the body; undefined without a body. */
export function bodyStallSignal(request: FastifyRequest): AbortSignal | undefined {
  const watch = request.bodyWatch;
  if (!watch) return undefined;
  watch.consumed = true;
  return watch.controller.signal;
}

function onResponseIdle(this: ServerResponse, socket: Socket): void {
  // Before the answer, an idle connection is either the body's stall (onIdle) or the server at work.
  if (this.headersSent) socket.destroy();
}

function onIdle(request: FastifyRequest, reply: FastifyReply, socket: Socket, idleTimeoutMs: number): void {
  const watch = request.bodyWatch as BodyWatch;
  const { signal } = watch.controller;
  if (signal.aborted || reply.raw.headersSent) {
    socket.destroy();
    return;
  }
  if (request.raw.readableLength > 0) return;
  const error = new DomainError(
    'REQUEST_TIMEOUT',
    `No bytes of the request body arrived for ${idleTimeoutMs} ms (the server's --idle-timeout-ms); nothing was stored. Send the request again.`,
  );
  watch.controller.abort(error);
  if (!watch.consumed) {
    // Fastify's body reader listens for the request's errors and answers with them.
    if (request.raw.listenerCount('error') > 0) request.raw.emit('error', error);
    else socket.destroy();
  }
  // Should the answer not get out either, the next idle period closes the connection.
  socket.setTimeout(idleTimeoutMs);
}
