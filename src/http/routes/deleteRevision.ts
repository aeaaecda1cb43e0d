// spec: "Delete a file": DELETE /domo/data-files/v1/{dataFileId}/revisions/{revisionId}.
// "the delete does occur at the revision level" (docs/decisions.md 14). Needs READ_WRITE_DELETE.
import { parseId, parseRevisionId } from '../queryValues.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { emptyOkResponses, okBody, RevisionParams } from '../schemas.js';

export const deleteRevision: RegisterRoute = (app, { services }) => {
  app.delete(
    '/:dataFileId/revisions/:revisionId',
    { schema: { summary: 'Delete a file revision', params: RevisionParams, response: emptyOkResponses } },
    async (request, reply) => {
      const params = request.params;
      await services.files.deleteRevision({
        caller: callerOf(request),
        fileId: parseId(params.dataFileId, 'dataFileId'),
        revisionId: parseRevisionId(params.revisionId),
      });
      // spec: "HTTP/1.1 200 OK", with {} for older clients (docs/decisions.md 78).
      return reply.code(200).send(okBody());
    },
  );
};
