// The server's structured logger (pino). Requests are logged without secrets: a token passed as
// ?ryuu_sid=… (what ryuu.js appends to <img src> and link URLs) is masked, and no header is logged.
import type { IncomingMessage } from 'node:http';
import { unescape } from 'node:querystring';
import { pino, type Logger } from 'pino';

/**
 * Whether a query parameter's name, as written in the URL, is `ryuu_sid` once decoded. Fastify
 * decodes names before routes see them, so `?ryuu%5Fsid=…` and `?%72yuu_sid=…` authenticate too
 * (issue 10): masking by the spelling kept those tokens in the log. Decoded leniently and up to
 * three times, so a double-encoded name that does not authenticate is not logged either.
 */
function namesToken(name: string): boolean {
  let decoded = name;
  for (let round = 0; round < 3 && decoded.includes('%'); round += 1) decoded = unescape(decoded);
  return decoded.toLowerCase() === 'ryuu_sid';
}

// Only a query that spells the name plainly or holds an escape can hold a token.
const MAY_HOLD_TOKEN = /ryuu_sid|%/i;

export function redactUrl(url: string | undefined): string | undefined {
  // Plain tests first: they spare nearly every request the splitting (and its new strings).
  const start = url === undefined ? -1 : url.indexOf('?');
  if (url === undefined || start < 0 || !MAY_HOLD_TOKEN.test(url.slice(start))) return url;
  // Split as Fastify's query parser does (fast-querystring: on `&` only, names before `=`).
  const pieces = url.slice(start + 1).split('&');
  let masked = false;
  for (let index = 0; index < pieces.length; index += 1) {
    const equals = pieces[index].indexOf('=');
    if (equals < 0 || !namesToken(pieces[index].slice(0, equals))) continue;
    pieces[index] = `${pieces[index].slice(0, equals)}=[redacted]`;
    masked = true;
  }
  return masked ? `${url.slice(0, start + 1)}${pieces.join('&')}` : url;
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
        req: (request: IncomingMessage & { ip?: string }) => ({
          method: request.method,
          url: redactUrl(request.url),
          remoteAddress: request.ip ?? request.socket?.remoteAddress,
        }),
      },
    },
    pino.destination({ dest: 1, sync: false, maxWrite: LOG_WRITE_BYTES }),
  );
}
