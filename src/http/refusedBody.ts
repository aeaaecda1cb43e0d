// A refusal must reach the client (issue 10 item 18; docs/decisions.md 32). When a request is
// answered with an error before its body has all arrived (401, 403, 400, 413…), closing the
// connection at once makes the kernel reset it while the client is still sending: the client
// then sees EPIPE/ECONNRESET, often before it has read the answer. Instead the answer goes out
// on a connection kept open, and the rest of the body is read and dropped, up to
// --refused-body-drain-bytes and for at most the idle timeout; past either bound the connection
// is closed. A body that ends within the bounds leaves the connection usable (keep-alive).
// The one exception is 408 (the client stopped sending): that answer closes the connection.
// This is the one mechanism for every route, Fastify's own refusals included.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export function drainRefusedBodies(app: FastifyInstance, bounds: { maxBytes: number; maxMs: number }): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && request.bodyWatch !== null && !request.raw.complete) {
      if (reply.statusCode === 408) {
        reply.header('connection', 'close');
      } else {
        reply.removeHeader('connection');
        // A client that asked to close (or speaks HTTP/1.0) would have Node close the socket as
        // soon as the answer is out, under the body: keep it open, and close after draining.
        const closeAfter = !reply.raw.shouldKeepAlive;
        reply.raw.shouldKeepAlive = true;
        reply.raw.once('finish', () => drain(request.raw, bounds, closeAfter));
      }
    }
    done(null, payload);
  });
}

/** Runs after Node's own end-of-response handling (which may already have resumed the body). */
function drain(body: IncomingMessage, { maxBytes, maxMs }: { maxBytes: number; maxMs: number }, closeAfter: boolean): void {
  const socket = body.socket;
  if (body.complete || body.destroyed) {
    if (closeAfter) socket?.end();
    return;
  }
  const stop = () => socket?.destroy();
  const timer = setTimeout(stop, maxMs);
  let dropped = 0;
  body.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > maxBytes) stop();
  });
  body.once('close', () => clearTimeout(timer));
  if (closeAfter) body.once('end', () => socket?.end());
  // A reader that stopped at the refusal (a form parser whose file nobody reads, a part's hasher)
  // would hold the body paused: detach it, then let the bytes flow to nowhere.
  body.unpipe();
  body.resume();
}
