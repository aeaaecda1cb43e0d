// Where an upload route meets the quota (issue 12, docs/decisions.md 67): admission before a byte
// is read (a known size over the quota is refused at once), and a cut-off for a body whose size
// is not known.
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { limitBytes, type Admission } from '../../core/quotas/quotaService.js';
import type { RouteContext } from '../routeContext.js';

export function declaredLength(request: FastifyRequest): number | undefined {
  const header = request.headers['content-length'];
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\s*[0-9]{1,16}\s*$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Admits the upload, or throws 413/507 before a byte is read; the refusal reaches the client
 * while the rest of its body is drained (src/http/refusedBody.ts).
 */
export async function admitUpload(
  context: RouteContext,
  request: FastifyRequest,
  _reply: FastifyReply,
  declaredBytes = declaredLength(request),
): Promise<Admission | undefined> {
  if (!context.services.quotas || !request.caller) return undefined;
  return context.services.quotas.admit(request.caller, declaredBytes);
}

/**
 * The body, cut off once it crosses what the admission left. The source is not destroyed on the
 * cut-off (that would drop the connection before the 413 is sent): it is unpiped, and what is
 * left is drained by src/http/refusedBody.ts.
 */
export function withinAdmission(body: Readable, admission: Admission | undefined): Readable {
  if (admission?.remaining === undefined) return body;
  const limiter = limitBytes(admission.remaining, admission.exceeded);
  const output = new PassThrough();
  body.on('error', (error) => output.destroy(error));
  limiter.on('error', (error) => {
    body.unpipe(limiter);
    output.destroy(error);
  });
  body.pipe(limiter).pipe(output);
  return output;
}
