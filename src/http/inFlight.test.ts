import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { FastifyReply } from 'fastify';
import { isDomainError } from '../core/errors.js';
import { InFlightRequests } from './inFlight.js';

/** Just what InFlightRequests uses of a reply: headers, and the raw response's 'close'. */
function fakeReply() {
  const headers: Record<string, string> = {};
  const raw = new EventEmitter();
  const reply = {
    raw,
    header(name: string, value: string) {
      headers[name] = value;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, headers, close: () => raw.emit('close') };
}

describe('requests in flight (docs/decisions.md 31)', () => {
  it("refuses a user's request over the per-user cap with 429 naming it, and admits again once one closes", () => {
    const inFlight = new InFlightRequests({ maxRequests: 100, maxRequestsPerUser: 2 });
    const first = fakeReply();
    const second = fakeReply();
    inFlight.admitUser(7, first.reply);
    inFlight.admitUser(7, second.reply);
    inFlight.admitUser(8, fakeReply().reply); // another user is not affected
    const third = fakeReply();
    assert.throws(
      () => inFlight.admitUser(7, third.reply),
      (error) => isDomainError(error, 'TOO_MANY_REQUESTS') && error.status === 429 && /2 requests in flight.*--max-requests-per-user/.test(error.message),
    );
    assert.equal(third.headers['retry-after'], '1');
    first.close();
    inFlight.admitUser(7, fakeReply().reply);
  });

  it("refuses any request over the server's cap with 503 naming it, and forgets users with nothing in flight", () => {
    const inFlight = new InFlightRequests({ maxRequests: 2, maxRequestsPerUser: 10 });
    const replies = [fakeReply(), fakeReply()];
    for (const { reply } of replies) {
      inFlight.admit(reply);
      inFlight.admitUser(1, reply);
    }
    const refused = fakeReply();
    assert.throws(
      () => inFlight.admit(refused.reply),
      (error) => isDomainError(error, 'SERVER_BUSY') && error.status === 503 && /2 requests in flight.*--max-requests/.test(error.message),
    );
    assert.equal(refused.headers['retry-after'], '1');
    for (const { close } of replies) close();
    assert.deepEqual(inFlight.inFlight(), { total: 0, users: 0 });
  });
});

describe('requests whose client left before they were admitted', () => {
  it('do not keep their place: a response already closed is released at once', async () => {
    const { createServer, request } = await import('node:http');
    const inFlight = new InFlightRequests({ maxRequests: 1, maxRequestsPerUser: 1 });
    const closedResponse = new Promise<import('node:http').ServerResponse>((resolve) => {
      const server = createServer((_req, res) => {
        res.once('close', () => {
          server.close();
          resolve(res);
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        const client = request({ host: '127.0.0.1', port, path: '/' });
        client.on('error', () => undefined);
        client.end();
        // The client goes away while the server is still working on the request.
        server.once('request', () => client.destroy());
      });
    });
    const res = await closedResponse;
    const reply = { raw: res, header: () => reply } as unknown as FastifyReply;
    // Admitted after its 'close' (as a request whose authentication awaited the database).
    inFlight.admit(reply);
    inFlight.admitUser(7, reply);
    assert.deepEqual(inFlight.inFlight(), { total: 0, users: 0 });
    // The caps of 1 still admit the next request.
    const next = fakeReply();
    inFlight.admit(next.reply);
    inFlight.admitUser(7, next.reply);
  });
});
