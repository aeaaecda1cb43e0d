// spec: "Uploading File Parts": PUT /domo/data-files/v1/multipart/{sessionId}/part/{index} with the
// chunk as the body, optionally `?[checksum={checkSum}]` (the spec's example builds that literal
// query) or `?checksum=…`. docs/decisions.md 7: "Part bodies are raw bytes whatever their Content-Type
// … never parsed as JSON or a form", so this is a streamed route: the body goes to storage as it
// arrives, never buffered whole. docs/decisions.md 8: a SHA-256 mismatch is 400 and the part is not kept.
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../core/errors.js';
import { callerOf, clientGoneSignal, type RegisterRoute } from '../routeContext.js';
import { partBodyDoc } from '../openapiBodies.js';
import { PartUploaded, sessionErrorResponses } from '../sessionWire.js';
import { admitUpload, withinAdmission } from '../access/quotaGate.js';

/**
 * The part's checksum from the raw request URL. Accepts `checksum=HEX`, the spec's literal
 * `[checksum=HEX]`, and its percent-encoded form `%5Bchecksum=HEX%5D`, among other parameters;
 * Fastify's own query parser would read `[checksum` as the name. The last one given wins.
 */
export function checksumFromUrl(rawUrl: string): string | undefined {
  const start = rawUrl.indexOf('?');
  if (start < 0) return undefined;
  let checksum: string | undefined;
  for (const piece of rawUrl.slice(start + 1).split('&')) {
    let text = piece.replace(/\+/g, ' ');
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not valid percent-encoding: read it as it is.
    }
    const match = /^\s*\[?\s*checksum\s*=\s*([^\]]*?)\s*\]?\s*$/i.exec(text);
    if (match) checksum = match[1];
  }
  return checksum;
}

function contentLengthOf(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\s*[0-9]{1,16}\s*$/.test(text)) return undefined;
  return Number(text);
}

export const uploadPart: RegisterRoute = (app, context) => {
  const { services, limits } = context;
  app.put(
    '/multipart/:sessionId/part/:index',
    {
      config: { swaggerTransform: partBodyDoc },
      schema: {
        summary: 'Upload a file part',
        description: 'The body is the raw bytes of the part, whatever its Content-Type. `?checksum=SHA256` or `?[checksum=SHA256]` is verified.',
        params: Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 200 }), index: Type.String({ maxLength: 20 }) }),
        response: { 200: PartUploaded, ...sessionErrorResponses },
      },
    },
    async (request, reply) => {
      const params = request.params;
      const sizeBytes = contentLengthOf(request.headers['content-length']);
      if (sizeBytes !== undefined && sizeBytes > limits.maxPartBytes) {
        // Refused before a byte is read; refusedBody.ts drops a bounded part of the body, then closes.
        throw new DomainError('PAYLOAD_TOO_LARGE', `A part may be at most ${limits.maxPartBytes} bytes.`);
      }
      // Refused before or while the body is read: refusedBody.ts deals with what is left of it.
      const admission = await admitUpload(context, request, reply, sizeBytes);
      const part = await services.sessions.putPart({
        caller: callerOf(request),
        sessionId: params.sessionId,
        index: params.index,
        body: withinAdmission(request.raw, admission),
        sizeBytes,
        checksum: checksumFromUrl(request.raw.url ?? ''),
        signal: clientGoneSignal(request, reply),
      });
      return { index: part.index, sizeBytes: part.sizeBytes, sha256: part.sha256 };
    },
  );
};
