// The S3 client the store talks through, and the translation of S3 and network errors into
// domain errors at the adapter boundary (docs/architecture.md, "Errors").
//
// Timeouts (all in the client's request handler):
//   connection  connectTimeoutMs (short): an endpoint that does not accept a connection is
//               reported as DEPENDENCY_UNAVAILABLE within seconds, not minutes;
//   request     requestTimeoutMs: longest wait for S3's answer to a request whose body we hold.
//               Requests whose body streams from our caller disable it per call (a large part
//               from a slow client legitimately takes longer) and rely on
//   idle        requestTimeoutMs again, as the socket inactivity limit: a transfer in which no
//               byte moves in either direction for that long is abandoned.
// The SDK retries failed requests (3 attempts) except those with a streaming body, and never
// after a timeout (see retriesWithinTheTimeout): the timeout is how long a caller waits for S3
// before its 503, not how long each of three attempts may wait.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { DomainError } from '../../../core/errors.js';
import type { Clock } from '../../../core/ports/clock.js';
import type { S3Names } from './s3Names.js';

export interface S3ClientOptions {
  endpoint: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Attempts per request, first included (SDK default 3). Streaming uploads are never retried. */
  maxAttempts?: number;
  /**
   * Where the SDK's own warnings go (e.g. pino). Default: nowhere. Without a logger the SDK prints
   * to the console, e.g. a warning for every upload whose caller went away mid-body.
   */
  logger?: S3Logger;
}

export interface S3Logger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

const silentLogger: S3Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** What every operation of the store needs. */
export interface S3Context {
  readonly client: S3Client;
  readonly bucket: string;
  readonly names: S3Names;
  /** Part size for uploads of unknown length (bytes buffered per part; see s3Writes.ts). */
  readonly partSizeBytes: number;
  /** What "now" is for the sweep's age cut-off. */
  readonly clock: Clock;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

export function createS3Client(options: S3ClientOptions): S3Client {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const credentials =
    options.accessKeyId !== undefined && options.secretAccessKey !== undefined
      ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
      : undefined; // the SDK's default chain: environment, profile, instance role, ...
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    credentials,
    forcePathStyle: options.forcePathStyle ?? true,
    maxAttempts: options.maxAttempts,
    retryStrategy: retriesWithinTheTimeout(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    logger: options.logger ?? silentLogger,
    // Only checksum what S3 requires: with the default ('WHEN_SUPPORTED') the SDK sends stream
    // bodies aws-chunked with a trailing checksum, which Ceph RGW 16 refuses (411).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      // Never longer than the request timeout: a caller told "503 after N ms" must not wait
      // longer than that for a connection alone.
      connectionTimeout: options.connectTimeoutMs ?? Math.min(DEFAULT_CONNECT_TIMEOUT_MS, requestTimeoutMs),
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: requestTimeoutMs,
      httpAgent: { keepAlive: true, maxSockets: 64 },
      httpsAgent: { keepAlive: true, maxSockets: 64 },
    },
  });
}

// ------------------------------------------------------------------------------------ retries

const DEFAULT_MAX_ATTEMPTS = 3;
const BASE_BACKOFF_MS = 100;
const THROTTLED_BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 20_000;

type RetryStrategyV2 = Extract<NonNullable<S3ClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;

/**
 * The SDK's standard retry policy (throttling and transient errors, up to maxAttempts, exponential
 * backoff with full jitter) with one exception: a request that timed out (the SDK names every
 * connect, request and socket-idle timeout 'TimeoutError') is not tried again. It has already
 * waited the whole dependency timeout; with the SDK's own strategy an S3 that accepts connections
 * but never answers (a hung or frozen RGW) kept a request waiting three times the configured
 * timeout before its 503. Quick failures (connection refused or reset, 5xx) still retry.
 */
export function retriesWithinTheTimeout(maxAttempts: number): RetryStrategyV2 {
  const token = (retryCount: number, retryDelay: number): RetryToken => ({ getRetryCount: () => retryCount, getRetryDelay: () => retryDelay });
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous, { error, errorType }) => {
      const retries = previous.getRetryCount();
      const retryable = errorType === 'TRANSIENT' || errorType === 'THROTTLING';
      // Throwing ends the retries; the SDK then rejects with the request's own error.
      if (!retryable || retries + 1 >= maxAttempts || error?.name === 'TimeoutError') throw new Error('not retried');
      const base = errorType === 'THROTTLING' ? THROTTLED_BASE_BACKOFF_MS : BASE_BACKOFF_MS;
      return token(retries + 1, Math.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** retries));
    },
    recordSuccess: () => undefined,
  };
}

// ------------------------------------------------------------------------- error translation

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** S3's error code ('NoSuchKey', 'NoSuchUpload', ...) or the error's name. */
export function s3ErrorCode(error: unknown): string | undefined {
  const shape = shapeOf(error);
  return shape.Code ?? shape.name;
}

export function httpStatusOf(error: unknown): number | undefined {
  return shapeOf(error).$metadata?.httpStatusCode;
}

/** A missing object: GetObject's NoSuchKey, or the bodiless 404 of HeadObject. */
export function isMissingObject(error: unknown): boolean {
  const code = s3ErrorCode(error);
  return code === 'NoSuchKey' || (httpStatusOf(error) === 404 && code !== 'NoSuchBucket' && code !== 'NoSuchUpload');
}

export function isMissingUpload(error: unknown): boolean {
  return s3ErrorCode(error) === 'NoSuchUpload';
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
/** S3 answers that mean "this store cannot be used right now", not "your request is wrong". */
const UNAVAILABLE_S3_CODES = new Set([
  'NoSuchBucket',
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'QuotaExceeded',
]);

export function isUnavailable(error: unknown): boolean {
  const shape = shapeOf(error);
  const status = shape.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 403)) return true;
  if (shape.code !== undefined && NETWORK_ERROR_CODES.has(shape.code)) return true;
  const code = s3ErrorCode(error);
  return code !== undefined && UNAVAILABLE_S3_CODES.has(code);
}

/**
 * Errors of our own (domain errors, a failing body) pass through unchanged; S3's "missing object"
 * becomes NOT_FOUND, an unusable backend DEPENDENCY_UNAVAILABLE. Anything else is a bug or an S3
 * answer we did not expect, and is passed on as it is.
 */
export function toDomainError(error: unknown, notFoundMessage = 'No blob with that key.'): unknown {
  if (error instanceof DomainError) return error;
  if (isMissingObject(error)) return new DomainError('NOT_FOUND', notFoundMessage, { cause: error });
  if (s3ErrorCode(error) === 'InvalidRange' || httpStatusOf(error) === 416) {
    return new DomainError('RANGE_NOT_SATISFIABLE', undefined, { cause: error });
  }
  if (isUnavailable(error)) {
    const what = s3ErrorCode(error) ?? shapeOf(error).code ?? 'error';
    return new DomainError('DEPENDENCY_UNAVAILABLE', `The S3 object store cannot be used (${what}).`, { cause: error });
  }
  return error;
}

/**
 * Runs one S3 operation: an aborted signal wins (the port promises its reason), then S3 and
 * network errors are translated.
 */
export async function withS3Errors<T>(signal: AbortSignal | undefined, operation: () => Promise<T>, notFoundMessage?: string): Promise<T> {
  signal?.throwIfAborted();
  try {
    return await operation();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw toDomainError(error, notFoundMessage);
  }
}
