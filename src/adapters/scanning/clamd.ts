// A VirusScanner over clamd's INSTREAM protocol (docs/decisions.md 86): "zINSTREAM\0", then the
// bytes as chunks each preceded by its length (4 bytes, big-endian), then a zero-length chunk;
// clamd answers one NUL-ended line. Hand-written on node:net: the npm clients we looked at buffer
// whole files or do not time out, and the protocol is a dozen lines.
//
// Bounded: at most one chunk of the body is waiting in the socket's buffer (we wait for 'drain'),
// the reply is read up to MAX_REPLY_BYTES, and every wait ends after timeoutMs without progress.
import net from 'node:net';
import { Readable } from 'node:stream';
import type { ClamdAddress } from '../../scanConfig.js';
import type { ScanOutcome, VirusScanner } from '../../core/ports/virusScanner.js';
import type { ByteSource } from '../../core/ports/blobStore.js';
import { interpretReply } from './clamdReply.js';

const MAX_REPLY_BYTES = 4096;
/** Chunks larger than this are split (clamd reads a chunk into memory). */
const MAX_CHUNK_BYTES = 256 * 1024;

export interface ClamdOptions {
  address: ClamdAddress;
  /** A connection that makes no progress (connect, write, reply) for this long is abandoned. */
  timeoutMs: number;
}

export function describeAddress(address: ClamdAddress): string {
  return address.kind === 'tcp' ? `tcp://${address.host}:${address.port}` : `unix:${address.path}`;
}

/** One connection: connect, send, read the reply; settles exactly once. */
function connection(options: ClamdOptions, signal?: AbortSignal) {
  const where = describeAddress(options.address);
  const socket =
    options.address.kind === 'tcp'
      ? net.createConnection({ host: options.address.host, port: options.address.port })
      : net.createConnection({ path: options.address.path });
  let connected = false;
  let reply = Buffer.alloc(0);
  let settle!: (outcome: ScanOutcome | { reply: string }) => void;
  const done = new Promise<ScanOutcome | { reply: string }>((resolve) => {
    settle = (value) => {
      socket.destroy();
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
  });
  let settled = false;
  const finish = (value: ScanOutcome | { reply: string }) => {
    if (settled) return;
    settled = true;
    settle(value);
  };
  const replyText = () => reply.toString('utf8');
  const onAbort = () => finish({ kind: 'failed', reason: 'the scan was cancelled', retry: true });
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  socket.setTimeout(options.timeoutMs);
  socket.on('connect', () => (connected = true));
  socket.on('timeout', () => finish({ kind: 'failed', reason: `clamd at ${where} did not answer within ${options.timeoutMs} ms`, retry: true }));
  socket.on('data', (data: Buffer) => {
    reply = Buffer.concat([reply, data]);
    const end = reply.indexOf(0);
    if (end >= 0) finish({ reply: reply.subarray(0, end).toString('utf8') });
    else if (reply.length > MAX_REPLY_BYTES) finish({ kind: 'failed', reason: `clamd's reply is longer than ${MAX_REPLY_BYTES} bytes`, retry: true });
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    // clamd answers "INSTREAM size limit exceeded" and closes: our next write fails, but the reply is here.
    if (reply.length > 0) return finish({ reply: replyText() });
    if (!connected)
      return finish({ kind: 'failed', reason: `clamd at ${where} is unreachable (${error.code ?? error.message})`, retry: true, unavailable: true });
    finish({ kind: 'failed', reason: `the connection to clamd at ${where} failed (${error.code ?? error.message})`, retry: true });
  });
  socket.on('close', () => {
    if (reply.length > 0) return finish({ reply: replyText() });
    finish({ kind: 'failed', reason: `clamd at ${where} closed the connection without an answer`, retry: true });
  });
  const isSettled = () => settled;
  /** Writes, then waits while the socket's buffer is full; false once the connection is over. */
  const write = async (data: Uint8Array): Promise<boolean> => {
    if (settled || socket.destroyed) return false;
    if (socket.write(data)) return true;
    // Until the socket drains, or the scan is over (a reply, an error, a timeout, a close).
    let resume!: () => void;
    await Promise.race([new Promise<void>((resolve) => socket.once('drain', (resume = resolve))), done]);
    socket.off('drain', resume);
    return !settled;
  };
  return { done, write, isSettled, finish };
}

export function createClamdScanner(options: ClamdOptions): VirusScanner {
  return {
    async scan({ body, signal }): Promise<ScanOutcome> {
      const conn = connection(options, signal);
      const sending = sendStream(conn, body);
      const result = await conn.done;
      await sending;
      if ('reply' in result) return interpretReply(result.reply);
      return result;
    },

    async version(): Promise<string> {
      const conn = connection(options);
      await conn.write(Buffer.from('zVERSION\0'));
      const result = await conn.done;
      if (!('reply' in result)) throw new Error(result.kind === 'failed' ? result.reason : 'clamd did not answer VERSION');
      return result.reply.trim();
    },
  };
}

async function sendStream(conn: ReturnType<typeof connection>, body: ByteSource): Promise<void> {
  const source = body instanceof Readable ? body : Readable.from(body);
  try {
    if (!(await conn.write(Buffer.from('zINSTREAM\0')))) return;
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      for (let offset = 0; offset < chunk.length; offset += MAX_CHUNK_BYTES) {
        const piece = chunk.subarray(offset, offset + MAX_CHUNK_BYTES);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(piece.length);
        if (!(await conn.write(length)) || !(await conn.write(piece))) return;
      }
    }
    await conn.write(Buffer.alloc(4));
  } catch (error) {
    // The blob could not be read: the scan is a (retryable) failure, whatever clamd says next.
    conn.finish({ kind: 'failed', reason: `could not read the file to scan: ${error instanceof Error ? error.message : String(error)}`, retry: true });
  } finally {
    if (!source.destroyed) source.destroy();
  }
}
