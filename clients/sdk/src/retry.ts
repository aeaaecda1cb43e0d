// Retries with exponential backoff and jitter (spec: "Error Handling and Retry Mechanism": "a
// retry mechanism limits the attempts per chunk"). Only failures that a later attempt can cure are
// retried: no answer at all, 408, 429 and 5xx. A 4xx says the request itself is wrong.
import { DatafilesError } from './errors.js';

export interface RetryPolicy {
  /** Further attempts after the first (0: no retry). */
  retries: number;
  /** The first wait, in ms; each later one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Math.random by default; tests may pin it. */
  random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 10_000 };

/** The most retries a policy may ask for: every retry loop ends. */
export const MAX_RETRIES = 100;
/** The shortest wait between two attempts: no retry follows a failure at once. */
export const MIN_RETRY_DELAY_MS = 1;

/**
 * Throws a RangeError unless `policy` makes a loop that ends and waits between attempts: a whole
 * number of retries up to MAX_RETRIES, finite delays (issue 10, item 16: a loop of retries that
 * fail at once, without a wait, is a client spinning at 100 % CPU).
 */
export function assertRetryPolicy(policy: RetryPolicy): void {
  if (!Number.isSafeInteger(policy.retries) || policy.retries < 0 || policy.retries > MAX_RETRIES) {
    throw new RangeError(`retries must be a whole number from 0 to ${MAX_RETRIES}; got ${policy.retries}.`);
  }
  for (const [name, value] of [
    ['retryDelayMs', policy.baseDelayMs],
    ['maxRetryDelayMs', policy.maxDelayMs],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number of ms ≥ 0; got ${value}.`);
  }
}

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryable(error: unknown): boolean {
  return error instanceof DatafilesError && (error.status === 0 || RETRYABLE_STATUSES.has(error.status));
}

/**
 * The wait before retry number `attempt` (1 for the first retry): "equal jitter", half the
 * exponential step plus a random share of the other half, so clients that failed together spread
 * out but none retries at once. A server's Retry-After, when longer, wins (capped by maxDelayMs).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, error?: unknown): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = step / 2 + (policy.random ?? Math.random)() * (step / 2);
  const asked = error instanceof DatafilesError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
  const delay = Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, asked)));
  // Never at once (a zero or unusable delay would make a failing retry loop spin).
  return Number.isFinite(delay) ? Math.max(MIN_RETRY_DELAY_MS, delay) : MIN_RETRY_DELAY_MS;
}

/** The signal's reason as an error to throw (an AbortError DOMException unless it says otherwise). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  error: unknown;
}

/** Runs `task` until it succeeds, fails for good, runs out of retries, or the signal aborts. */
export async function withRetry<T>(
  task: (attempt: number) => Promise<T>,
  options: { policy: RetryPolicy; signal?: AbortSignal; onRetry?: (event: RetryEvent) => void },
): Promise<T> {
  assertRetryPolicy(options.policy);
  // At most retries + 1 attempts, with a wait of at least MIN_RETRY_DELAY_MS between two.
  for (let attempt = 0; ; attempt += 1) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    try {
      return await task(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      if (attempt >= options.policy.retries || !isRetryable(error)) throw error;
      const delayMs = backoffDelay(attempt + 1, options.policy, error);
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/** One signal that aborts when any of `signals` does (AbortSignal.any, where it is missing). */
export function anySignal(signals: Array<AbortSignal | undefined>): AbortSignal {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  const controller = new AbortController();
  for (const signal of present) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      return controller.signal;
    }
  }
  for (const signal of present) signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true, signal: controller.signal });
  return controller.signal;
}
