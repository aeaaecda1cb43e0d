// decisions.md 2: "sessionId is an opaque, unguessable string". 32 random bytes, base64url: 43
// characters that need no escaping in a URL path. Knowing an id is not enough to use a session
// (only its creator may, decisions.md 24), but an unguessable id keeps sessions from being probed.
import { randomBytes } from 'node:crypto';

const SESSION_ID_BYTES = 32;
const SESSION_ID_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Never starting with "-": such an id passed on a command line (`datafiles upload --resume ID`,
 * or any tool's) reads as an option. One id in 64 would; those are drawn again.
 */
export function newSessionId(): string {
  for (;;) {
    const id = randomBytes(SESSION_ID_BYTES).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Whether `text` could be an id this service generated; anything else names no session. */
export function isSessionIdShaped(text: unknown): text is string {
  return typeof text === 'string' && SESSION_ID_FORMAT.test(text);
}
