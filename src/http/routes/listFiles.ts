// spec: "Get all files metadata": GET /domo/data-files/v1/details?limitToOwned=…&ids=…&expand=…
// (and this server's sharedWithMe=…, docs/decisions.md 180)
// (docs/decisions.md 5: `details` and `details/` are the same route; 15: ordered by dataFileId,
// optional limit/offset; 150: `after`, and a list longer than one batch streams out).
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { FileDetails } from '../../core/files/fileService.js';
import { startList } from '../listStart.js';
import { listValues, parseBoolean, parseExpand, parseIds, parseOptionalInteger } from '../queryValues.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { errorResponses, FileDetailsBody, StringOrList } from '../schemas.js';
import { fileToWire } from '../wire.js';

export const MAX_PAGE = 100_000;

export const listFiles: RegisterRoute = (app, { services, limits }) => {
  app.get(
    '/details',
    {
      schema: {
        summary: 'Get all files metadata',
        querystring: Type.Object({
          limitToOwned: Type.Optional(StringOrList),
          sharedWithMe: Type.Optional(StringOrList),
          ids: Type.Optional(StringOrList),
          dataFileIds: Type.Optional(StringOrList),
          userId: Type.Optional(StringOrList),
          expand: Type.Optional(StringOrList),
          limit: Type.Optional(StringOrList),
          offset: Type.Optional(StringOrList),
          after: Type.Optional(StringOrList),
        }),
        response: { 200: Type.Array(FileDetailsBody), ...errorResponses },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const expand = parseExpand(query.expand);
      const batchRows = limits.listBatchRows;
      const limit = parseOptionalInteger(query.limit, 'limit', { min: 1, max: MAX_PAGE });
      const batches = services.files.listFiles({
        caller: callerOf(request),
        // docs/decisions.md 84: the Product API's dataFileIds is ids by another name; userId keeps
        // the files that user owns, among those the caller may read.
        ids: parseIds(query.ids === undefined && query.dataFileIds === undefined ? undefined : [...listValues(query.ids), ...listValues(query.dataFileIds)]),
        ownerId: parseOptionalInteger(query.userId, 'userId', { min: 1, max: Number.MAX_SAFE_INTEGER }),
        limitToOwned: parseBoolean(query.limitToOwned, 'limitToOwned', false),
        // docs/decisions.md 180: an extension (the web interface's "Shared with me"): files an
        // entry shares with the caller or one of its groups, owned by someone else; public or not.
        sharedWithMe: parseBoolean(query.sharedWithMe, 'sharedWithMe', false),
        expand,
        limit,
        offset: parseOptionalInteger(query.offset, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER }),
        afterId: parseOptionalInteger(query.after, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER }),
        batchRows,
      });
      const toWire = (files: FileDetails[]) => files.map((details) => fileToWire(details, { metadata: expand.has('metadata') }));
      const start = await startList(batches, { batchRows, limit });
      // One batch holds the whole list: answered as every other JSON route is.
      if ('whole' in start) return toWire(start.whole);
      const { held } = start;
      // docs/decisions.md 150: a longer list streams out, a batch read only once the previous
      // one is written (Readable.from pulls as the socket drains), so memory stays one batch. Each
      // batch goes through the route's own response serializer (an array) without its brackets.
      const items = (files: FileDetails[]) => reply.serialize(toWire(files)).slice(1, -1);
      async function* body(): AsyncGenerator<string> {
        yield `[${held.map(items).join(',')}`;
        for await (const batch of batches) yield `,${items(batch)}`;
        yield ']';
      }
      // Fastify pipes a stream as it is (no serializer); the schema-typed send only knows arrays.
      const untyped: FastifyReply = reply;
      return untyped.type('application/json; charset=utf-8').send(Readable.from(body()));
    },
  );
};
