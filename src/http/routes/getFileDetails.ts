// spec: "Get file metadata by ID": GET /domo/data-files/v1/{dataFileId}/details?expand={expandList}
import { Type } from '@sinclair/typebox';
import { parseExpand, parseId } from '../queryValues.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { errorResponses, FileDetailsBody, FileIdParams, StringOrList } from '../schemas.js';
import { fileToWire } from '../wire.js';

export const getFileDetails: RegisterRoute = (app, { services }) => {
  app.get(
    '/:dataFileId/details',
    {
      schema: {
        summary: 'Get file metadata by ID',
        params: FileIdParams,
        querystring: Type.Object({ expand: Type.Optional(StringOrList) }),
        response: { 200: FileDetailsBody, ...errorResponses },
      },
    },
    async (request) => {
      const expand = parseExpand(request.query.expand);
      const details = await services.files.getFileDetails({
        caller: callerOf(request),
        fileId: parseId(request.params.dataFileId, 'dataFileId'),
        expand,
      });
      return fileToWire(details, { metadata: expand.has('metadata') });
    },
  );
};
