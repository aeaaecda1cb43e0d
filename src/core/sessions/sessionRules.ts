// The session fields a client sends, and the answers that follow from a session's state.
import { isValidMimeType } from '../content/mimeType.js';
import { DomainError } from '../errors.js';
import { validateDescription, validateName } from '../files/validation.js';
import type { SessionState, UploadSessionRecord } from '../model.js';
import type { CommitResult } from './sessionCommit.js';

export function validateSessionFields(input: { name: unknown; description?: unknown; contentType: unknown }): {
  name: string;
  description: string;
  contentType: string;
} {
  const name = validateName(typeof input.name === 'string' ? input.name : undefined);
  if (input.description !== undefined && input.description !== null && typeof input.description !== 'string') throw new DomainError('INVALID_DESCRIPTION');
  const description = validateDescription((input.description as string | null | undefined) ?? undefined);
  // docs/decisions.md 13: the file's type is "the session's declared contentType (required, must be a
  // valid MIME type)".
  if (typeof input.contentType !== 'string' || input.contentType.trim() === '')
    throw new DomainError('INVALID_CONTENT_TYPE', 'contentType is required: the MIME type of the file.');
  if (!isValidMimeType(input.contentType)) throw new DomainError('INVALID_CONTENT_TYPE');
  return { name, description, contentType: input.contentType.trim() };
}

export function sessionClosed(state: SessionState): DomainError {
  const how: Record<SessionState, string> = {
    OPEN: 'open',
    COMMITTING: 'being committed',
    COMMITTED: 'already committed',
    ABORTED: 'aborted',
    EXPIRED: 'expired',
  };
  return new DomainError('SESSION_CLOSED', `The upload session is ${how[state]}; it takes no more parts or commits.`);
}

export function committedAnswer(session: UploadSessionRecord): CommitResult {
  if (session.committedFileId === null || session.committedRevisionId === null) throw new DomainError('INTERNAL', 'A committed session has no file.');
  return { fileId: session.committedFileId, revisionId: session.committedRevisionId };
}

/** docs/decisions.md 42: the answer when a user already holds `limit` open sessions. */
export function tooManySessions(limit: number): DomainError {
  return new DomainError(
    'TOO_MANY_SESSIONS',
    `You have ${limit} open upload sessions, the most this server allows one user (--max-open-sessions-per-user). ` +
      'Commit or abort one (POST …/multipart/{id}/commit or /abort) before opening another; idle ones expire by themselves.',
    { retryAfterSeconds: 60 },
  );
}
