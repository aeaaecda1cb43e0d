// docs/decisions.md 24: "Sessions idle longer than a configurable TTL (default 7 days) expire and their
// parts are removed." A sweep runs at start-up and then periodically; the period follows the TTL
// (a quarter of it, between 250 ms and one minute), so an expired session lingers at most that
// long past its expiry (and is refused parts and commits meanwhile anyway). The same sweep removes
// the parts a crash or a failing blob store left behind when a session was closed.
//
// docs/decisions.md 179: the start-up sweep is not awaited. After a long stop thousands of
// sessions may be due, and serving need not wait for them: every request checks its session's
// expiry itself (src/core/sessions/sessionService.ts). stop() cuts a sweep in progress short
// between two batches and waits for it, so the stores are not closed under it.
import type { SessionService } from '../core/sessions/sessionService.js';

export function sessionSweepIntervalMs(ttlMs: number, commitLeaseMs = ttlMs): number {
  return Math.min(60_000, Math.max(250, Math.floor(Math.min(ttlMs, commitLeaseMs) / 4)));
}

export interface SessionSweeper {
  /** Stops the timer, and the sweep in progress after its current batch; waits for it. */
  stop(): Promise<void>;
  /** The sweep in progress (or the last one) has finished (tests). */
  idle(): Promise<void>;
}

export function startSessionSweeper(input: {
  sessions: Pick<SessionService, 'sweepExpired'>;
  ttlMs: number;
  /** docs/decisions.md 51: abandoned commits are rolled back this long after their last renewal. */
  commitLeaseMs?: number;
  log: { info(object: object, message: string): void; warn(object: object, message: string): void };
}): SessionSweeper {
  const stopping = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let queued = false;
  const sweep = (): void => {
    // A sweep that outlasts the period (thousands due) is not queued up behind again and again.
    if (queued) return;
    queued = true;
    running = running.then(async () => {
      queued = false;
      if (stopping.signal.aborted) return;
      try {
        const { rolledBack, expired, released } = await input.sessions.sweepExpired({ signal: stopping.signal });
        if (rolledBack > 0) input.log.info({ rolledBack }, 'rolled back upload sessions whose committer died (their parts wait for a retry or expiry)');
        if (expired > 0) input.log.info({ expired }, 'expired idle upload sessions and removed their parts');
        if (released > 0) input.log.info({ released }, 'removed the parts that closed upload sessions had left behind');
      } catch (error) {
        if (!stopping.signal.aborted) input.log.warn({ err: error }, 'upload session sweep failed');
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, sessionSweepIntervalMs(input.ttlMs, input.commitLeaseMs));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort(new Error('the server is stopping'));
      await running;
    },
    idle: () => running,
  };
}
