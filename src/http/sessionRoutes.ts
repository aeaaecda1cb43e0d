// The Multi-part Files API's routes, passed to buildApp as `extraRoutes`, split like the Files
// API's: JSON bodies, and the part upload, whose raw body is streamed (docs/decisions.md 7).
import type { RegisterRoute } from './routeContext.js';
import { abortSession } from './routes/abortSession.js';
import { commitSession } from './routes/commitSession.js';
import { createSession } from './routes/createSession.js';
import { createUpdateSession } from './routes/createUpdateSession.js';
import { getSession } from './routes/getSession.js';
import { uploadPart } from './routes/uploadPart.js';

export const sessionRoutes: { json: RegisterRoute[]; streamed: RegisterRoute[] } = {
  json: [createSession, createUpdateSession, getSession, commitSession, abortSession],
  streamed: [uploadPart],
};
