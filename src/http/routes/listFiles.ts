// spec: "Get all files metadata": GET /domo/data-files/v1/details?limitToOwned=…&ids=…&expand=…
// (docs/decisions.md 5: `details` and `details/` are the same route; 15: ordered by dataFileId,
// optional limit/offset).
import { Type } from '@sinclair/typebox';
import { listValues, parseBoolean, parseExpand, parseIds, parseOptionalInteger } from '../queryValues.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { errorResponses, FileDetailsBody, StringOrList } from '../schemas.js';
import { fileToWire } from '../wire.js';

export const MAX_PAGE = 100_000;

export const listFiles: RegisterRoute = (app, { services }) => {
  app.get(
    '/details',
    {
      schema: {
        summary: 'Get all files metadata',
        querystring: Type.Object({
          limitToOwned: Type.Optional(StringOrList),
          ids: Type.Optional(StringOrList),
          dataFileIds: Type.Optional(StringOrList),
          userId: Type.Optional(StringOrList),
          expand: Type.Optional(StringOrList),
          limit: Type.Optional(StringOrList),
          offset: Type.Optional(StringOrList),
        }),
        response: { 200: Type.Array(FileDetailsBody), ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      const expand = parseExpand(query.expand);
      const files = await services.files.listFiles({
        caller: callerOf(request),
        // docs/decisions.md 84: the Product API's dataFileIds is ids by another name; userId keeps
        // the files that user owns, among those the caller may read.
        ids: parseIds(query.ids === undefined && query.dataFileIds === undefined ? undefined : [...listValues(query.ids), ...listValues(query.dataFileIds)]),
        ownerId: parseOptionalInteger(query.userId, 'userId', { min: 1, max: Number.MAX_SAFE_INTEGER }),
        limitToOwned: parseBoolean(query.limitToOwned, 'limitToOwned', false),
        expand,
        limit: parseOptionalInteger(query.limit, 'limit', { min: 1, max: MAX_PAGE }),
        offset: parseOptionalInteger(query.offset, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER }),
      });
      return files.map((details) => fileToWire(details, { metadata: expand.has('metadata') }));
    },
  );
};
