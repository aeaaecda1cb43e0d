// The one error the SDK throws for a failed request. docs/decisions.md 4: the server's errors have
// Domo's shape, {"status":404,"statusReason":"Not Found","message":"…","toe":"…"}, with `toe` also
// sent as the X-Request-Id header. Answers in another shape (a proxy's 502 page) keep their HTTP
// status; a request that got no answer at all (connection refused or reset) has status 0.

/** What the server said, in Domo's error shape. */
export interface ErrorBody {
  status: number;
  statusReason: string;
  message: string;
  toe?: string;
}

export class DatafilesError extends Error {
  override name = 'DatafilesError';
  /** The HTTP status, or 0 when no answer arrived (network failure). */
  readonly status: number;
  /** The reason phrase ("Not Found"), or "Network Error" when no answer arrived. */
  readonly statusReason: string;
  /** The request's id on the server (its logs carry it), when the server answered. */
  readonly toe: string | undefined;
  /** Seconds the server asked to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(body: ErrorBody & { retryAfterSeconds?: number }, options?: { cause?: unknown }) {
    super(body.message, options);
    this.status = body.status;
    this.statusReason = body.statusReason;
    this.toe = body.toe;
    this.retryAfterSeconds = body.retryAfterSeconds;
  }

  /** The request reached no server, or the connection broke before an answer. */
  get isNetworkError(): boolean {
    return this.status === 0;
  }

  toJSON(): ErrorBody {
    return { status: this.status, statusReason: this.statusReason, message: this.message, toe: this.toe };
  }
}

export function isDatafilesError(error: unknown): error is DatafilesError {
  return error instanceof DatafilesError;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  416: 'Range Not Satisfiable',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** The error for a non-2xx response; reads (and so consumes) its body. */
export async function errorFromResponse(response: Response): Promise<DatafilesError> {
  const text = await response.text().catch(() => '');
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  const fallbackReason = response.statusText || REASONS[response.status] || 'Error';
  const toeHeader = response.headers.get('x-request-id') ?? undefined;
  try {
    // JSON.parse may give null or a non-object: narrowed before any field is read.
    const parsed = JSON.parse(text) as unknown;
    const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<ErrorBody>;
    if (typeof body.message === 'string') {
      return new DatafilesError({
        status: response.status,
        statusReason: typeof body.statusReason === 'string' ? body.statusReason : fallbackReason,
        message: body.message,
        toe: typeof body.toe === 'string' ? body.toe : toeHeader,
        retryAfterSeconds,
      });
    }
  } catch {
    // Not JSON: described below from the status line.
  }
  const snippet = text.trim().slice(0, 200);
  return new DatafilesError({
    status: response.status,
    statusReason: fallbackReason,
    message: snippet ? `${response.status} ${fallbackReason}: ${snippet}` : `${response.status} ${fallbackReason}`,
    toe: toeHeader,
    retryAfterSeconds,
  });
}

/** The error for a request that got no answer (fetch rejected for a reason other than an abort). */
export function networkError(cause: unknown, what: string): DatafilesError {
  const detail = cause instanceof Error ? (cause.cause instanceof Error ? `${cause.message}: ${cause.cause.message}` : cause.message) : String(cause);
  return new DatafilesError({ status: 0, statusReason: 'Network Error', message: `${what} failed: ${detail}` }, { cause });
}
