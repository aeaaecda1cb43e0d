// docs/decisions.md 2: "sessionId is an opaque, unguessable string". 32 random bytes, base64url: 43
// characters that need no escaping in a URL path. Knowing an id is not enough to use a session
// (only its creator may, docs/decisions.md 24), but an unguessable id keeps sessions from being probed.
import { randomToken } from '../randomToken.js';

const SESSION_ID_BYTES = 32;
const SESSION_ID_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** Never starting with "-" (see randomToken). */
export function newSessionId(): string {
  return randomToken(SESSION_ID_BYTES);
}

/** Whether `text` could be an id this service generated; anything else names no session. */
export function isSessionIdShaped(text: unknown): text is string {
  return typeof text === 'string' && SESSION_ID_FORMAT.test(text);
}
