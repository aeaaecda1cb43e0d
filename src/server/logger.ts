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

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'datafiles' },
    serializers: {
      req: (request: IncomingMessage & { ip?: string }) => ({ method: request.method, url: redactUrl(request.url), remoteAddress: request.ip ?? request.socket?.remoteAddress }),
    },
  });
}
