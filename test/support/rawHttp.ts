// Raw HTTP/1.1 over a TCP socket, for requests fetch will not send: malformed bytes, bodies cut
// off mid-way, header values fetch refuses, clients that vanish. Answers are parsed just enough
// to check a status, headers and body.
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawOutcome {
  /** The parsed answer, if the server sent a complete one before closing. */
  response?: RawResponse;
  /** Every byte received. */
  received: Buffer;
  /** The server closed the connection (rather than our timeout ending the wait). */
  closedByServer: boolean;
}

export interface RawOptions {
  /** After writing: `end` half-closes (FIN), `destroy` resets, `keep` waits for the answer. */
  then?: 'end' | 'destroy' | 'keep';
  /** Stop waiting after this long (default 5 s). */
  timeoutMs?: number;
  /** Pause between writing successive chunks. */
  chunkDelayMs?: number;
}

function hostAndPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

/** Parses one HTTP/1.1 response from `bytes`, or returns undefined while it is incomplete. */
export function parseResponse(bytes: Buffer, options: { complete: boolean; head?: boolean } = { complete: false }): RawResponse | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...headerLines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(match[1]);
  const rest = bytes.subarray(headEnd + 4);
  if (options.head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    return rest.length >= length ? { status, headers, body: rest.subarray(0, length) } : undefined;
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', offset);
      if (lineEnd < 0) return undefined;
      const size = parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) return undefined;
      if (size === 0) return { status, headers, body: Buffer.concat(chunks) };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
  }
  // No framing: the body runs to the end of the connection.
  return options.complete ? { status, headers, body: rest } : undefined;
}

/**
 * Writes `chunks` to a fresh connection, then ends, resets or keeps it, and collects whatever the
 * server answers until it closes, a full response arrives, or the timeout passes.
 */
export function rawExchange(url: string, chunks: (string | Buffer)[], options: RawOptions = {}): Promise<RawOutcome> {
  const { host, port } = hostAndPort(url);
  const then = options.then ?? 'keep';
  const isHead = typeof chunks[0] === 'string' && chunks[0].startsWith('HEAD ');
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const bytes = Buffer.concat(received);
      socket.destroy();
      resolve({ response: parseResponse(bytes, { complete: closedByServer, head: isHead }), received: bytes, closedByServer });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5000);
    socket.on('data', (data) => {
      received.push(data);
      if (then === 'keep' && parseResponse(Buffer.concat(received), { complete: false, head: isHead })) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    // A reset after the server answered still leaves the answer in `received`.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') {
        settled = true;
        clearTimeout(timer);
        reject(error);
      } else finish(true);
    });
    socket.once('connect', () => void send());
    async function send(): Promise<void> {
      try {
        for (const chunk of chunks) {
          if (socket.destroyed) return;
          socket.write(chunk);
          if (options.chunkDelayMs !== undefined && options.chunkDelayMs > 0) await new Promise((wait) => setTimeout(wait, options.chunkDelayMs));
        }
        if (then === 'end') socket.end();
        if (then === 'destroy') {
          // A fixed pause on purpose (the client being simulated): give the bytes a moment to leave,
          // then vanish without a FIN handshake.
          await new Promise((wait) => setTimeout(wait, 50));
          socket.resetAndDestroy();
          finish(false);
        }
      } catch (error) {
        reject(error);
      }
    }
  });
}

/** A request head: request line, headers (Host and Connection: close added), blank line. */
export function requestHead(method: string, path: string, headers: Record<string, string | number> = {}, host = 'localhost'): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A multipart/form-data body with one file field, as raw bytes, and its boundary. */
export function multipartBody(input: { field?: string; filename?: string; type?: string; content: Buffer | string }): { boundary: string; body: Buffer } {
  const boundary = `----raw-${Math.random().toString(16).slice(2)}`;
  const head =
    `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="${input.field ?? 'file'}"; filename="${input.filename ?? 'raw.bin'}"\r\n` +
    `Content-Type: ${input.type ?? 'application/octet-stream'}\r\n\r\n`;
  return { boundary, body: Buffer.concat([Buffer.from(head), Buffer.from(input.content), Buffer.from(`\r\n--${boundary}--\r\n`)]) };
}
