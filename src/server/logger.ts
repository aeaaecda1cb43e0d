// The server's structured logger (pino). Requests are logged without secrets: a token passed as
// ?ryuu_sid=… (what ryuu.js appends to <img src> and link URLs) is masked, and no header is logged.
import type { IncomingMessage } from 'node:http';
import { pino, type Logger } from 'pino';

const TOKEN_IN_QUERY = /([?&]ryuu_sid=)[^&#]*/gi;
const MENTIONS_TOKEN = /ryuu_sid=/i;

export function redactUrl(url: string | undefined): string | undefined {
  // A plain test first: it spares nearly every request the replacing (and its new string).
  return url !== undefined && MENTIONS_TOKEN.test(url) ? url.replace(TOKEN_IN_QUERY, '$1[redacted]') : url;
}

/**
 * Bytes of log lines gathered into one write to stdout (asynchronous, as pino's default). pino's
 * default of 16 KiB made each new line re-measure a string of up to 16 KiB, which V8 copies flat
 * first: a fifth of the garbage of a small request (docs/history.md, issue 6, an allocation profile of
 * `GET details`); 4 KiB still writes a dozen lines at a time.
 */
const LOG_WRITE_BYTES = 4096;

export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'datafiles' },
      serializers: {
        req: (request: IncomingMessage & { ip?: string }) => ({ method: request.method, url: redactUrl(request.url), remoteAddress: request.ip ?? request.socket?.remoteAddress }),
      },
    },
    pino.destination({ dest: 1, sync: false, maxWrite: LOG_WRITE_BYTES }),
  );
}
