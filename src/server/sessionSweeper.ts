// docs/decisions.md 24: "Sessions idle longer than a configurable TTL (default 7 days) expire and their
// parts are removed." A sweep runs at start-up and then periodically; the period follows the TTL
// (a quarter of it, between 250 ms and one minute), so an expired session lingers at most that
// long past its expiry (and is refused parts and commits meanwhile anyway). The same sweep removes
// the parts a crash or a failing blob store left behind when a session was closed.
import type { SessionService } from '../core/sessions/sessionService.js';

export function sessionSweepIntervalMs(ttlMs: number, commitLeaseMs = ttlMs): number {
  return Math.min(60_000, Math.max(250, Math.floor(Math.min(ttlMs, commitLeaseMs) / 4)));
}

export interface SessionSweeper {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export async function startSessionSweeper(input: {
  sessions: SessionService;
  ttlMs: number;
  /** docs/decisions.md 51: abandoned commits are rolled back this long after their last renewal. */
  commitLeaseMs?: number;
  log: { info(object: object, message: string): void; warn(object: object, message: string): void };
}): Promise<SessionSweeper> {
  let running: Promise<void> = Promise.resolve();
  const sweep = (): Promise<void> => {
    running = running.then(async () => {
      try {
        const { rolledBack, expired, released } = await input.sessions.sweepExpired();
        if (rolledBack > 0) input.log.info({ rolledBack }, 'rolled back upload sessions whose committer died (their parts wait for a retry or expiry)');
        if (expired > 0) input.log.info({ expired }, 'expired idle upload sessions and removed their parts');
        if (released > 0) input.log.info({ released }, 'removed the parts that closed upload sessions had left behind');
      } catch (error) {
        input.log.warn({ err: error }, 'upload session sweep failed');
      }
    });
    return running;
  };
  await sweep();
  const timer = setInterval(() => void sweep(), sessionSweepIntervalMs(input.ttlMs, input.commitLeaseMs));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
