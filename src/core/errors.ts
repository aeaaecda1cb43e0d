// One catalogue of every error the service can answer with (docs/architecture.md, "Errors").
// Domain code throws DomainError with a code; the HTTP error handler is the only place that turns
// it into a response, in Domo's shape {status, statusReason, message, toe} (docs/decisions.md 4).

export const ERROR_CATALOGUE = {
  BAD_REQUEST: { status: 400, message: 'The request is not valid.' },
  INVALID_ID: { status: 400, message: 'The id must be a positive integer.' },
  INVALID_NAME: { status: 400, message: 'name is required: 1 to 1024 characters.' },
  INVALID_DESCRIPTION: { status: 400, message: 'description may be at most 4096 characters.' },
  INVALID_EXPAND: { status: 400, message: 'expand takes revisions and/or metadata.' },
  INVALID_PERMISSIONS: { status: 400, message: 'The permissions object is not valid.' },
  INVALID_CONTENT_TYPE: { status: 400, message: 'contentType must be a valid MIME type.' },
  NOT_MULTIPART: { status: 400, message: 'The body must be a multipart form with a field named file.' },
  MISSING_FILE_FIELD: { status: 400, message: 'The multipart form has no field named file.' },
  TRUNCATED_BODY: { status: 400, message: 'The request body ended before it was complete.' },
  CHECKSUM_MISMATCH: { status: 400, message: 'The part does not match its checksum.' },
  INVALID_PART_INDEX: { status: 400, message: 'The part index must be an integer from 1 to 10000.' },
  MISSING_PARTS: { status: 400, message: 'The session is missing parts.' },
  NO_PARTS: { status: 400, message: 'The session has no parts to commit.' },
  UNAUTHENTICATED: { status: 401, message: 'A valid token is required.' },
  // docs/decisions.md 40: a cookie or query-parameter token authorises only GET and HEAD.
  UNSAFE_CREDENTIAL: {
    status: 401,
    message:
      'A ryuu_sid cookie or query parameter authorises only GET and HEAD, so that a page on another site cannot change anything with it. ' +
      'Send the token in the X-DOMO-Ryuu-Session header (or X-DOMO-Developer-Token, or Authorization: Bearer) to POST, PUT, PATCH or DELETE.',
  },
  TOKEN_REVOKED: { status: 401, message: 'This token was revoked. Ask for a new one.' },
  TOKEN_EXPIRED: { status: 401, message: 'This token has expired. Create a new one.' },
  // docs/decisions.md 114: a sign-in link's code is unknown, used already or expired.
  SIGN_IN_LINK_INVALID: { status: 401, message: 'This sign-in link is not valid: it was used already or has expired. Ask for a new one.' },
  USER_DISABLED: { status: 401, message: 'This user is disabled; its tokens work again once an admin enables it.' },
  SCOPE_TOO_NARROW: { status: 403, message: "This token's scope does not allow this operation." },
  FORBIDDEN: { status: 403, message: 'You do not have the permission this operation needs.' },
  CROSS_SITE: {
    status: 403,
    message:
      'A page on another site (Sec-Fetch-Site: cross-site) may not change anything here. Send the request from this site, or from a client that is not a browser.',
  },
  INFECTED: { status: 403, message: 'This revision was found to contain malware and cannot be downloaded.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  FILE_NOT_FOUND: { status: 404, message: 'No file with that id.' },
  REVISION_NOT_FOUND: { status: 404, message: 'No revision with that id in this file.' },
  SESSION_NOT_FOUND: { status: 404, message: 'No upload session with that id.' },
  USER_NOT_FOUND: { status: 404, message: 'No user with that id or name.' },
  GROUP_NOT_FOUND: { status: 404, message: 'No group with that id or name.' },
  TOKEN_NOT_FOUND: { status: 404, message: 'No token with that id.' },
  SESSION_CLOSED: { status: 409, message: 'The upload session is no longer open.' },
  SCAN_PENDING: { status: 409, message: 'This revision has not been scanned for malware yet; only scanned revisions are served here. Try again shortly.' },
  SCAN_FAILED: { status: 409, message: 'This revision could not be scanned for malware, and only scanned revisions are served here. An admin can rescan it.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  NAME_TAKEN: { status: 409, message: 'That name is already taken.' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request body stopped arriving; nothing was stored. Send the request again.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The body is larger than this server accepts.' },
  QUOTA_EXCEEDED: { status: 413, message: 'This upload would exceed your storage quota.' },
  INSUFFICIENT_STORAGE: { status: 507, message: 'The server is low on disk space; uploads are refused until space is freed.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'That Content-Type is not accepted here.' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'The requested range is not satisfiable.' },
  TOO_MANY_SESSIONS: { status: 429, message: 'Too many open upload sessions.' },
  TOO_MANY_FAILED_AUTHENTICATIONS: { status: 429, message: 'Too many requests with an invalid token from this address.' },
  TOO_MANY_REQUESTS: { status: 429, message: 'You have too many requests in flight on this server; wait for some to finish.' },
  CLIENT_CLOSED: { status: 499, message: 'The client closed the request.' },
  INTERNAL: { status: 500, message: 'Internal error.' },
  // docs/decisions.md 106: never serve bytes known to be wrong.
  REVISION_CORRUPT: {
    status: 500,
    message:
      'The stored bytes of this revision failed verification (datafiles verify): they no longer match its size and hashes, so they are not served. ' +
      'Restore the file from a backup or upload it again; an earlier revision may still be downloaded by its revision id.',
  },
  DEPENDENCY_UNAVAILABLE: { status: 503, message: 'A service this server depends on is unavailable.' },
  SERVER_BUSY: { status: 503, message: 'This server has too many requests in flight; try again shortly.' },
  /** Start-up only (never an HTTP answer in practice): the metadata schema is newer than this binary. */
  DATABASE_TOO_NEW: { status: 503, message: 'The database was upgraded by a newer datafiles than this one.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class DomainError extends Error {
  readonly code: ErrorCode;
  /** Extra, safe-to-show facts (e.g. the missing part indexes). */
  readonly details?: Record<string, unknown>;
  /** When to try again (a 429 or 503 answer's Retry-After header), in whole seconds. */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: Record<string, unknown>; retryAfterSeconds?: number }) {
    super(message ?? ERROR_CATALOGUE[code].message, { cause: options?.cause });
    this.name = 'DomainError';
    this.code = code;
    this.details = options?.details;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
