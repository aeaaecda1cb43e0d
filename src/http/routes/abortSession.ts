// spec: "Error Handling and Retry Mechanism": POST /domo/data-files/v1/multipart/{sessionId}/abort
// answers "HTTP/1.1 200 OK" (with {}, docs/decisions.md 78). The parts are removed; later parts and commits are 409. ryuu.js sends
// it with Content-Type: application/json and no body (docs/decisions.md 6). Aborting twice is harmless.
import { OkBody, okBody } from '../schemas.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { SessionIdParams, sessionErrorResponses } from '../sessionWire.js';

export const abortSession: RegisterRoute = (app, { services }) => {
  app.post(
    '/multipart/:sessionId/abort',
    {
      schema: {
        summary: 'Abort a multi-part upload',
        params: SessionIdParams,
        response: { 200: OkBody, ...sessionErrorResponses },
      },
    },
    async (request, reply) => {
      await services.sessions.abort({ caller: callerOf(request), sessionId: request.params.sessionId });
      return reply.code(200).send(okBody());
    },
  );
};
