// docs/decisions.md 2: "sessionId is an opaque, unguessable string". 32 random bytes, base64url: 43
// characters that need no escaping in a URL path. Knowing an id is not enough to use a session
// (only its creator may, docs/decisions.md 24), but an unguessable id keeps sessions from being probed.
import { randomBytes } from 'node:crypto';
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

/**
 * A fresh name for one write of a part (docs/decisions.md 50): 64 random bits as hex, in
 * PART_VERSION_FORMAT (src/core/ports/blobStore.ts). Unique per write, so a late write can never
 * change the bytes a commit recorded.
 */
export function newPartVersion(): string {
  return randomBytes(8).toString('hex');
}
