// spec: "Upload a file revision": PUT /domo/data-files/v1/{dataFileId} with the same form.
// Returns {"revisionId": 430}. Needs READ_WRITE (docs/decisions.md 17). On the Product surface the
// body may also be the raw bytes (surfaces.ts). With no body at all, `description` and `public` in
// the query change the file's metadata instead (docs/decisions.md 81).
import { Type } from '@sinclair/typebox';
import { bodyStallSignal } from '../idleBody.js';
import { admitUpload, withinAdmission } from '../access/quotaGate.js';
import { parseBoolean, parseId, parseString } from '../queryValues.js';
import { callerOf, clientGoneSignal, type RegisterRoute } from '../routeContext.js';
import { uploadBodyDoc } from '../openapiBodies.js';
import { errorResponses, FileDetailsBody, FileIdParams, StringOrList, UploadRevisionResult } from '../schemas.js';
import { hasBody, readUploadBody } from '../uploadBody.js';
import { fileToWire } from '../wire.js';

export const uploadRevision: RegisterRoute = (app, context) => {
  const { services, limits, surface } = context;
  app.put(
    '/:dataFileId',
    {
      config: { swaggerTransform: uploadBodyDoc(surface) },
      schema: {
        summary: 'Upload a file revision, or (with no body) change its description and public flag',
        params: FileIdParams,
        querystring: Type.Object({ description: Type.Optional(StringOrList), public: Type.Optional(StringOrList) }),
        response: { 200: Type.Union([UploadRevisionResult, FileDetailsBody]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const fileId = parseId(request.params.dataFileId, 'dataFileId');
      const query = request.query;
      if (!hasBody(request) && (query.description !== undefined || query.public !== undefined)) {
        const details = await services.product.updateMetadata({
          caller,
          fileId,
          description: parseString(query.description),
          // `public=` (empty) leaves the flag as it is; `description=` (empty) clears the description.
          publicAccess: (parseString(query.public) ?? '').trim() === '' ? undefined : parseBoolean(query.public, 'public', false),
        });
        return fileToWire(details, { metadata: true });
      }
      // Authorise before reading the body, so a stranger's upload costs no bytes.
      const authorised = await services.files.requireFile(caller, fileId, 'write');
      const admission = await admitUpload(context, request, reply);
      const form = await readUploadBody(request, { surface, maxFileBytes: limits.maxFileBytes, signal: bodyStallSignal(request) });
      const revision = await services.files.uploadRevision({
        caller,
        fileId,
        content: { body: withinAdmission(form.stream, admission), filename: form.filename, declaredType: form.mimeType },
        signal: clientGoneSignal(request, reply),
        authorised,
      });
      return { revisionId: revision.id };
    },
  );
};
