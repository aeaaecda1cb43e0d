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
  return Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, asked)));
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
