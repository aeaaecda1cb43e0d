// spec: "Creating a Multi-part Upload Update Session": POST /domo/data-files/v1/{fileId}/multipart
// with {fileId, name, description, contentType}; returns {"sessionId": "…"}. Its commit adds a
// revision to the file, so it needs READ_WRITE on it (docs/decisions.md 17). The path's id is the one
// used; the body's `fileId` (sent by the spec's example) is ignored like any other extra key.
import { parseId } from '../queryValues.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { FileIdParams } from '../schemas.js';
import { SessionCreated, sessionErrorResponses } from '../sessionWire.js';
import { SessionFieldsBody } from './createSession.js';

export const createUpdateSession: RegisterRoute = (app, { services }) => {
  app.post(
    '/:dataFileId/multipart',
    {
      schema: {
        summary: 'Create a multi-part upload update session',
        params: FileIdParams,
        body: SessionFieldsBody,
        response: { 200: SessionCreated, ...sessionErrorResponses },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const session = await services.sessions.createForUpdate({
        caller: callerOf(request),
        fileId: parseId(request.params.dataFileId, 'dataFileId'),
        name: body.name,
        description: body.description,
        contentType: body.contentType,
      });
      return { sessionId: session.id };
    },
  );
};
