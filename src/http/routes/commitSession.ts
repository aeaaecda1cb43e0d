// spec: "Completing a Multi-part Upload": POST /domo/data-files/v1/multipart/{sessionId}/commit;
// returns {"dataFileId": …, "revisionId": …} (integers, docs/decisions.md 2). The spec's example sends
// {sessionId} in the body (ignored, the path names the session); docs/decisions.md 23 adds the optional
// `totalParts` and `sha256` (whole file), checked when present.
import { Type } from '@sinclair/typebox';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { CommitResult, SessionIdParams, sessionErrorResponses } from '../sessionWire.js';

const CommitBody = Type.Union([
  Type.Object(
    {
      totalParts: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 20 }), Type.Null()])),
      sha256: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    },
    { additionalProperties: true },
  ),
  Type.Null(),
]);

export const commitSession: RegisterRoute = (app, { services }) => {
  app.post(
    '/multipart/:sessionId/commit',
    {
      schema: {
        summary: 'Complete a multi-part upload',
        params: SessionIdParams,
        body: CommitBody,
        response: { 200: CommitResult, ...sessionErrorResponses },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const result = await services.sessions.commit({
        caller: callerOf(request),
        sessionId: request.params.sessionId,
        totalParts: body.totalParts,
        sha256: body.sha256,
      });
      return { dataFileId: result.fileId, revisionId: result.revisionId };
    },
  );
};
