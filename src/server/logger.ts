// The server's structured logger (pino). Requests are logged without secrets: a token passed as
// ?ryuu_sid=… (what ryuu.js appends to <img src> and link URLs) is masked, and no header is logged.
import type { IncomingMessage } from 'node:http';
import { pino, type Logger } from 'pino';

const TOKEN_IN_QUERY = /([?&]ryuu_sid=)[^&#]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(TOKEN_IN_QUERY, '$1[redacted]');
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
