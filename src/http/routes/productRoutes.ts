// Domo's Product API operations beyond the App Framework's (spec: product-api.md), served on both
// surfaces: P5 one revision's details, P6 every revision's, P8 copy, P9 duplicate.
import { Type } from '@sinclair/typebox';
import { parseId, parseRevisionId } from '../queryValues.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { errorResponses, FileDetailsBody, FileIdParams, IdText, Revision, RevisionParams } from '../schemas.js';
import { fileToWire, revisionToWire } from '../wire.js';

const CopyParams = Type.Object({ sourceDataFileId: IdText, targetDataFileId: IdText });

export const productRoutes: RegisterRoute = (app, { services }) => {
  app.get(
    '/:dataFileId/revisions/:revisionId/details',
    { schema: { summary: 'Get one revision (-1: the newest)', params: RevisionParams, response: { 200: Revision, ...errorResponses } } },
    async (request) => {
      const params = request.params;
      const revision = await services.product.revisionDetails({
        caller: callerOf(request),
        fileId: parseId(params.dataFileId, 'dataFileId'),
        revisionId: parseRevisionId(params.revisionId),
      });
      return revisionToWire(revision);
    },
  );

  app.get(
    '/:dataFileId/revisions/details',
    { schema: { summary: 'Get every revision of a file, newest first', params: FileIdParams, response: { 200: Type.Array(Revision), ...errorResponses } } },
    async (request) => {
      const revisions = await services.product.allRevisionDetails({
        caller: callerOf(request),
        fileId: parseId(request.params.dataFileId, 'dataFileId'),
      });
      return revisions.map(revisionToWire);
    },
  );

  app.post(
    '/copy/:sourceDataFileId/revisions/current/:targetDataFileId',
    {
      schema: {
        summary: "Copy a file's current revision onto another file (its bytes are shared, not copied)",
        params: CopyParams,
        response: { 200: Type.Object({ revisionId: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => {
      const params = request.params;
      const revision = await services.product.copyCurrentRevision({
        caller: callerOf(request),
        sourceFileId: parseId(params.sourceDataFileId, 'sourceDataFileId'),
        targetFileId: parseId(params.targetDataFileId, 'targetDataFileId'),
      });
      return { revisionId: revision.id };
    },
  );

  app.post(
    '/:dataFileId/duplicate',
    { schema: { summary: 'Duplicate a file (its bytes are shared, not copied)', params: FileIdParams, response: { 200: FileDetailsBody, ...errorResponses } } },
    async (request) => {
      const details = await services.product.duplicate({
        caller: callerOf(request),
        fileId: parseId(request.params.dataFileId, 'dataFileId'),
      });
      return fileToWire(details, { metadata: false });
    },
  );
};
