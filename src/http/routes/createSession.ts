// spec: "Creating a Multi-part Upload Session": POST /domo/data-files/v1/multipart with
// {name, description, contentType}; returns {"sessionId": "…"}. docs/decisions.md 6: unknown keys (the
// spec's own example sends "Cache-Control") are ignored.
import { Type } from '@sinclair/typebox';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { SessionCreated, sessionErrorResponses } from '../sessionWire.js';

/** Every field optional here: the session service says what is missing, in the API's own errors. */
export const SessionFieldsBody = Type.Union([
  Type.Object(
    {
      name: Type.Optional(Type.String({ maxLength: 100_000 })),
      description: Type.Optional(Type.Union([Type.String({ maxLength: 100_000 }), Type.Null()])),
      contentType: Type.Optional(Type.String({ maxLength: 100_000 })),
    },
    { additionalProperties: true },
  ),
  Type.Null(),
]);

export const createSession: RegisterRoute = (app, { services }) => {
  app.post(
    '/multipart',
    { schema: { summary: 'Create a multi-part upload session', body: SessionFieldsBody, response: { 200: SessionCreated, ...sessionErrorResponses } } },
    async (request) => {
      const body = request.body ?? {};
      const session = await services.sessions.create({
        caller: callerOf(request),
        name: body.name,
        description: body.description,
        contentType: body.contentType,
      });
      return { sessionId: session.id };
    },
  );
};
