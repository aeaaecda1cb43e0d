// Schemas and wire shapes shared by the multipart session routes (spec: "Multi-part Files API";
// docs/decisions.md 1–3: epoch millis, integer ids, upper-case hashes).
import { Type, type Static } from '@sinclair/typebox';
import type { SessionView } from '../core/sessions/sessionService.js';
import type { SessionState } from '../core/model.js';
import { ErrorBody, errorResponses, stringEnum } from './schemas.js';

/** Session ids are opaque (docs/decisions.md 2); a malformed one simply names no session (404). */
export const SessionIdParams = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 200 }) });

/** A session answers 409 once closed, and 413 for a part larger than the server accepts. */
export const sessionErrorResponses = { ...errorResponses, 409: ErrorBody, 413: ErrorBody };

/** Every session state, checked complete by the compiler (docs/architecture.md). */
const SESSION_STATES = Object.keys({ OPEN: true, COMMITTING: true, COMMITTED: true, ABORTED: true, EXPIRED: true } satisfies Record<
  SessionState,
  true
>) as SessionState[];

/** spec: "Creating a Multi-part Upload Session" and "…Update Session". */
export const SessionCreated = Type.Object({ sessionId: Type.String() });
/** What the server answers for a stored part (and each of a session's parts). */
export const PartUploaded = Type.Object({ index: Type.Integer(), sizeBytes: Type.Integer(), sha256: Type.String() });
/** spec: "Completing a Multi-part Upload" (integers, docs/decisions.md 2). */
export const CommitResult = Type.Object({ dataFileId: Type.Integer(), revisionId: Type.Integer() });

export const SessionBody = Type.Object({
  sessionId: Type.String(),
  state: stringEnum(SESSION_STATES),
  name: Type.String(),
  description: Type.String(),
  contentType: Type.String(),
  dataFileId: Type.Union([Type.Integer(), Type.Null()], { description: 'The file an update session writes to, or the file a commit created' }),
  revisionId: Type.Union([Type.Integer(), Type.Null()], { description: 'The revision the commit created' }),
  createdAt: Type.Integer({ description: 'epoch milliseconds' }),
  updatedAt: Type.Integer({ description: 'epoch milliseconds' }),
  expiresAt: Type.Integer({ description: 'epoch milliseconds; renewed by every part' }),
  parts: Type.Array(PartUploaded, { description: 'The stored parts; none once the session was aborted or expired' }),
});

export function sessionToWire({ session, parts }: SessionView): Static<typeof SessionBody> {
  return {
    sessionId: session.id,
    state: session.state,
    name: session.name,
    description: session.description,
    contentType: session.contentType,
    dataFileId: session.fileId ?? session.committedFileId,
    revisionId: session.committedRevisionId,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    expiresAt: session.expiresAt,
    parts: parts.map((part) => ({ index: part.index, sizeBytes: part.sizeBytes, sha256: part.sha256 })),
  };
}
