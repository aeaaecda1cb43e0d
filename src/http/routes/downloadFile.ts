// spec: "Download a file": GET /domo/data-files/v1/{dataFileId} (current revision) and
// GET /domo/data-files/v1/{dataFileId}/revisions/{revisionId}; "Content-Type: {mime-type of the file}".
// docs/decisions.md 21 adds Range, ETag/If-None-Match, HEAD and the safety headers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { validateHeaderValue, type OutgoingHttpHeaders } from 'node:http';
import { servableContentType } from '../../core/content/mimeType.js';
import { DomainError, isDomainError } from '../../core/errors.js';
import { MAX_NAME_LENGTH } from '../../core/files/validation.js';
import { sendsItself } from '../../core/ports/blobStore.js';
import { resolveRange } from '../download/byteRange.js';
import { etagOf, noneMatch, rangeStillValid } from '../download/conditional.js';
import { dispositionFor } from '../download/disposition.js';
import { downloadDoc } from '../openapiBodies.js';
import { parseBoolean, parseId, parseRevisionId, parseString } from '../queryValues.js';
import { callerOf, clientGoneSignal, type RegisterRoute, type RouteContext } from '../routeContext.js';
import { errorResponses, FileIdParams, RevisionParams } from '../schemas.js';
import { Type, type Static } from '@sinclair/typebox';
import { StringOrList } from '../schemas.js';

const DownloadQuery = Type.Object({ download: Type.Optional(StringOrList), fileName: Type.Optional(StringOrList), ryuu_sid: Type.Optional(StringOrList) });

/** What both download routes' schemas give (RevisionParams adds revisionId, passed on its own). */
interface DownloadInput {
  params: Static<typeof FileIdParams>;
  query: Static<typeof DownloadQuery>;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Product API P7: `fileName` names the download, on both surfaces (docs/decisions.md 84). */
function downloadName({ query }: DownloadInput): string | undefined {
  const fileName = parseString(query.fileName);
  if (fileName === undefined || fileName.trim() === '') return undefined;
  if (fileName.length > MAX_NAME_LENGTH) throw new DomainError('BAD_REQUEST', `fileName may be at most ${MAX_NAME_LENGTH} characters.`);
  return fileName;
}

async function sendRevision(context: RouteContext, request: FastifyRequest & DownloadInput, reply: FastifyReply, revisionId?: string) {
  const params = request.params;
  const { file, revision } = await context.services.files.findDownload({
    caller: callerOf(request),
    fileId: parseId(params.dataFileId, 'dataFileId'),
    revisionId: revisionId === undefined ? undefined : parseRevisionId(revisionId),
  });
  const etag = etagOf(revision.sha256);
  const lastModified = new Date(revision.uploadedAt).toUTCString();
  // docs/decisions.md 35: a type stored before content types were validated may not be sendable.
  const contentType = servableContentType(revision.contentType);
  reply
    .header('content-type', contentType)
    .header('etag', etag)
    .header('last-modified', lastModified)
    .header('accept-ranges', 'bytes')
    // Every download: never sniffed into something runnable, and sandboxed if opened directly.
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox')
    // Another site's <script src>/<link href> cannot pull a private file in with the user's cookie.
    .header('cross-origin-resource-policy', 'same-origin')
    .header('cache-control', 'private, no-cache')
    .header(
      'content-disposition',
      dispositionFor({ name: downloadName(request) ?? file.name, contentType, download: parseBoolean(request.query.download, 'download', false) }),
    );

  if (noneMatch(headerValue(request, 'if-none-match'), etag)) return reply.code(304).send();

  const ifRange = headerValue(request, 'if-range');
  const answer = rangeStillValid(ifRange, etag, revision.uploadedAt)
    ? resolveRange(headerValue(request, 'range'), revision.sizeBytes)
    : ({ kind: 'whole' } as const);
  if (answer.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${revision.sizeBytes}`);
    throw new DomainError('RANGE_NOT_SATISFIABLE');
  }
  if (answer.kind === 'partial') {
    const { start, end } = answer.range;
    reply.code(206).header('content-range', `bytes ${start}-${end}/${revision.sizeBytes}`);
  }
  const length = answer.kind === 'partial' ? answer.range.end - answer.range.start + 1 : revision.sizeBytes;
  reply.header('content-length', String(length));
  // The route is declared for HEAD itself: Fastify's automatic HEAD route would answer
  // Content-Length: 0 (issue 10), and HEAD must carry the headers GET would.
  if (request.method === 'HEAD' || length === 0) return reply.send();
  // After hijack() nobody answers a header Node refuses, and the download would hang (issue 10):
  // any such header fails here, while the error handler can still answer.
  const headers = reply.getHeaders() as OutgoingHttpHeaders;
  for (const [name, value] of Object.entries(headers)) validateHeaderValue(name, String(value));

  const body = await context.services.files.openContent({
    revision,
    range: answer.kind === 'partial' ? answer.range : undefined,
    signal: clientGoneSignal(request, reply),
  });
  if (!sendsItself(body)) return reply.send(body);
  // The store writes the bytes itself, with buffers it reuses (see SendsItself). Only Fastify's
  // piping is bypassed: the onResponse hooks (request log, metrics) still run when it finishes.
  reply.hijack();
  reply.raw.writeHead(reply.statusCode, headers);
  try {
    await body.sendTo(reply.raw);
  } catch (error) {
    // Headers are out: the only way left to say "failed" is to cut the connection short.
    if (!isDomainError(error, 'CLIENT_CLOSED')) request.log.error({ err: error }, 'download failed after its headers were sent');
    reply.raw.destroy();
  }
}

export const downloadFile: RegisterRoute = (app, context) => {
  app.route({
    method: ['GET', 'HEAD'],
    url: '/:dataFileId',
    config: { swaggerTransform: downloadDoc },
    schema: { summary: 'Download the current revision of a file', params: FileIdParams, querystring: DownloadQuery, response: errorResponses },
    handler: (request, reply) => sendRevision(context, request, reply),
  });
  // `revision` (singular) is how the Product API's page writes it (docs/decisions.md 84).
  for (const url of ['/:dataFileId/revisions/:revisionId', '/:dataFileId/revision/:revisionId']) {
    app.route({
      method: ['GET', 'HEAD'],
      url,
      config: { swaggerTransform: downloadDoc },
      schema: { summary: 'Download a given revision of a file', params: RevisionParams, querystring: DownloadQuery, response: errorResponses },
      handler: (request, reply) => sendRevision(context, request, reply, request.params.revisionId),
    });
  }
};
