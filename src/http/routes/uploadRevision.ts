// spec: "Upload a file revision": PUT /domo/data-files/v1/{dataFileId} with the same form.
// Returns {"revisionId": 430}. Needs READ_WRITE (docs/decisions.md 17).
import { Type } from '@sinclair/typebox';
import { bodyStallSignal } from '../idleBody.js';
import { admitUpload, withinAdmission } from '../access/quotaGate.js';
import { readFormFile } from '../multipartForm.js';
import { parseId } from '../queryValues.js';
import { callerOf, clientGoneSignal, type RegisterRoute } from '../routeContext.js';
import { errorResponses, FileIdParams } from '../schemas.js';

export const uploadRevision: RegisterRoute = (app, context) => {
  const { services, limits } = context;
  app.put(
    '/:dataFileId',
    {
      schema: {
        summary: 'Upload a file revision',
        params: FileIdParams,
        response: { 200: Type.Object({ revisionId: Type.Integer() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const fileId = parseId((request.params as { dataFileId: string }).dataFileId, 'dataFileId');
      // Authorise before reading the body, so a stranger's upload costs no bytes.
      await services.files.requireFile(caller, fileId, 'write');
      const admission = await admitUpload(context, request, reply);
      const form = await readFormFile(request.raw, { maxFileBytes: limits.maxFileBytes, signal: bodyStallSignal(request) });
      const revision = await services.files.uploadRevision({
        caller,
        fileId,
        content: { body: withinAdmission(form.stream, admission), filename: form.filename, declaredType: form.mimeType },
        signal: clientGoneSignal(request, reply),
      });
      return { revisionId: revision.id };
    },
  );
};
