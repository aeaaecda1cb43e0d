// DELETE /domo/data-files/v1/{dataFileId}: the whole file with every revision (docs/decisions.md 14;
// Domo's Product API has it). Needs READ_WRITE_DELETE.
import { parseId } from '../queryValues.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { emptyOkResponses, FileIdParams, okBody } from '../schemas.js';

export const deleteFile: RegisterRoute = (app, { services }) => {
  app.delete(
    '/:dataFileId',
    { schema: { summary: 'Delete a file and every revision', params: FileIdParams, response: emptyOkResponses } },
    async (request, reply) => {
      await services.files.deleteFile({ caller: callerOf(request), fileId: parseId(request.params.dataFileId, 'dataFileId') });
      return reply.code(200).send(okBody());
    },
  );
};
