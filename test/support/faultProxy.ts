// A loopback HTTP proxy between a client and the test server that can fail chosen requests, to
// prove the client's retries and aborts (spec: "Error Handling and Retry Mechanism"). A rule sees
// each request (with its part index and how many times that part was asked for) and answers:
//   'reset-mid-body'  read some of the body, then reset the connection (TCP RST)
//   'reset-at-once'   reset before reading anything
//   { status }        read the body, then answer that status (a gateway's 502/503/504)
//   undefined         forward it to the server unchanged
// Every request is recorded with what happened to it.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = 'reset-mid-body' | 'reset-at-once' | { status: number };

export interface ProxiedRequest {
  method: string;
  path: string;
  /** For PUT …/multipart/{sessionId}/part/{index}. */
  partIndex: number | undefined;
  /** 1 for the first request for this part index, 2 for its first retry… */
  attempt: number;
}

export interface ProxyRecord extends ProxiedRequest {
  /** What the client got: the server's status, or the fault. */
  outcome: number | 'reset-mid-body' | 'reset-at-once';
}

export interface FaultProxy {
  url: string;
  /** Replaces the rule (undefined: forward everything). */
  setRule(rule: ((request: ProxiedRequest) => Fault | undefined) | undefined): void;
  records: ProxyRecord[];
  /** The part uploads that reached the server and were stored (200), by index. */
  storedParts(): number[];
  close(): Promise<void>;
}

const PART_PATH = /\/multipart\/[^/?]+\/part\/(\d+)/;

function reset(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let rule: ((request: ProxiedRequest) => Fault | undefined) | undefined;
  const attempts = new Map<number, number>();
  const records: ProxyRecord[] = [];
  const sockets = new Set<Socket>();
  const upstream = new http.Agent({ keepAlive: true });

  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    const match = request.method === 'PUT' ? PART_PATH.exec(path) : null;
    const partIndex = match ? Number(match[1]) : undefined;
    const attempt = partIndex === undefined ? 1 : (attempts.get(partIndex) ?? 0) + 1;
    if (partIndex !== undefined) attempts.set(partIndex, attempt);
    const seen: ProxiedRequest = { method: request.method ?? 'GET', path, partIndex, attempt };
    const fault = rule?.(seen);
    const record = (outcome: ProxyRecord['outcome']) => records.push({ ...seen, outcome });

    if (fault === 'reset-at-once') {
      record(fault);
      reset(request.socket);
      return;
    }
    if (fault === 'reset-mid-body') {
      record(fault);
      let received = 0;
      request.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > 64 * 1024) reset(request.socket);
      });
      request.on('end', () => reset(request.socket));
      return;
    }
    if (fault !== undefined) {
      request.resume();
      request.on('end', () => {
        record(fault.status);
        response.writeHead(fault.status, { 'content-type': 'text/plain', connection: 'close' });
        response.end(`fault proxy: ${fault.status}\n`);
      });
      return;
    }

    const forwarded = http.request(
      { host: target.hostname, port: target.port, method: request.method, path, headers: request.headers, agent: upstream },
      (answer) => {
        record(answer.statusCode ?? 0);
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    let clientGone = false;
    // The server failed mid-answer: the client sees its connection reset. Not once the answer is
    // complete or the client has gone: its socket may then carry its next request (keep-alive),
    // which a late reset would kill (seen as a getSession failing with ECONNRESET under load).
    forwarded.on('error', () => {
      if (!clientGone && !response.writableFinished) reset(request.socket);
    });
    // The client went away (its abort): so does the request to the server.
    response.on('close', () => {
      if (response.writableFinished) return;
      clientGone = true;
      forwarded.destroy();
    });
    request.pipe(forwarded);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setRule(next) {
      rule = next;
    },
    records,
    storedParts: () => records.filter((each) => each.partIndex !== undefined && each.outcome === 200).map((each) => each.partIndex!),
    async close() {
      for (const socket of sockets) socket.destroy();
      upstream.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
