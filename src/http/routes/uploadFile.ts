// spec: "Upload a file": POST /domo/data-files/v1?name={name}&description={description}&public={public}
// with a multipart form whose field `file` holds the bytes. Returns {"dataFileId": 401}. On the
// Product surface the body may also be the raw bytes, and `public` defaults to true (surfaces.ts).
import { Type } from '@sinclair/typebox';
import { bodyStallSignal } from '../idleBody.js';
import { admitUpload, withinAdmission } from '../access/quotaGate.js';
import { parseBoolean, parseString } from '../queryValues.js';
import { callerOf, clientGoneSignal, type RegisterRoute } from '../routeContext.js';
import { uploadBodyDoc } from '../openapiBodies.js';
import { errorResponses, StringOrList, UploadFileResult } from '../schemas.js';
import { readUploadBody } from '../uploadBody.js';

export const uploadFile: RegisterRoute = (app, context) => {
  const { services, limits, surface } = context;
  app.post(
    '/',
    {
      config: { swaggerTransform: uploadBodyDoc(surface) },
      schema: {
        summary: 'Upload a file',
        querystring: Type.Object({ name: Type.Optional(StringOrList), description: Type.Optional(StringOrList), public: Type.Optional(StringOrList) }),
        response: { 200: UploadFileResult, ...errorResponses },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const caller = callerOf(request);
      const publicAccess = parseBoolean(query.public, 'public', surface.publicByDefault);
      const admission = await admitUpload(context, request, reply);
      const form = await readUploadBody(request, { surface, maxFileBytes: limits.maxFileBytes, signal: bodyStallSignal(request) });
      const { file } = await services.files.uploadFile({
        caller,
        name: parseString(query.name),
        description: parseString(query.description),
        publicAccess,
        content: { body: withinAdmission(form.stream, admission), filename: form.filename, declaredType: form.mimeType },
        signal: clientGoneSignal(request, reply),
      });
      return { dataFileId: file.id };
    },
  );
};
