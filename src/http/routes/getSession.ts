// docs/decisions.md 25: GET /domo/data-files/v1/multipart/{sessionId} returns the session's state and
// its uploaded parts (index, sizeBytes, sha256), so a client can resume after a crash.
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { SessionBody, SessionIdParams, sessionErrorResponses, sessionToWire } from '../sessionWire.js';

export const getSession: RegisterRoute = (app, { services }) => {
  app.get(
    '/multipart/:sessionId',
    { schema: { summary: 'Get a multi-part upload session', params: SessionIdParams, response: { 200: SessionBody, ...sessionErrorResponses } } },
    async (request) => {
      const view = await services.sessions.get({ caller: callerOf(request), sessionId: request.params.sessionId });
      return sessionToWire(view);
    },
  );
};
