// The nemesis of the fault history (issue 16 item 5): one fault at a time, chosen and timed by its
// own seeded stream, with a quiet spell between faults: a server SIGKILLed (and started again on a
// new port a moment later), every process of the private PostgreSQL cluster frozen (SIGSTOP,
// then SIGCONT), or the private radosgw frozen the same way; each for a few seconds. Never every
// server at once: the clients always have one to talk to.
import { waitFor } from '../support/waitFor.js';
import type { FaultCluster } from './cluster.js';
import type { Tally } from './model.js';
import type { Seeded } from './seeded.js';

export const FAULTS = { 'kill server': 4, 'pause postgres': 3, 'pause rgw': 3 } as const;

/** Resolves after `ms`, or at once when `stop` is aborted. */
function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function runNemesis(cluster: FaultCluster, tally: Tally, rng: Seeded, stop: AbortSignal, log: (line: string) => void): Promise<void> {
  // The nemesis's clock is the fault schedule, not a test's wait for a condition: a fault lasts a
  // drawn number of milliseconds, whatever the servers do meanwhile.
  while (!stop.aborted) {
    await pause(rng.int(1000, 4000), stop);
    if (stop.aborted) break;
    const fault = rng.weighted(FAULTS);
    const lastsMs = rng.int(1000, 5000);
    tally.count(tally.faults, fault);
    const started = Date.now();
    if (fault === 'kill server') {
      const slot = rng.pick(cluster.live());
      await cluster.kill(slot);
      await pause(lastsMs, stop);
      await cluster.start(slot);
      log(`killed server ${slot.index}; up again after ${Date.now() - started} ms`);
    } else if (fault === 'pause postgres') {
      await cluster.postgres.pause();
      await pause(lastsMs, stop);
      await cluster.postgres.resume();
      log(`paused PostgreSQL for ${Date.now() - started} ms`);
    } else {
      cluster.rgw.pause();
      await pause(lastsMs, stop);
      cluster.rgw.resume();
      log(`paused radosgw for ${Date.now() - started} ms`);
    }
  }
}

/** After the faults: every server up and answering /healthz with both dependencies. */
export async function settle(cluster: FaultCluster): Promise<void> {
  await cluster.postgres.resume();
  cluster.rgw.resume();
  for (const slot of cluster.slots) if (!slot.server) await cluster.start(slot);
  await waitFor(
    async () => {
      const answers = await Promise.all(
        cluster.live().map((slot) =>
          fetch(`${slot.server!.url}/healthz`).then(
            (response) => response.status,
            () => 0,
          ),
        ),
      );
      return answers.length === cluster.slots.length && answers.every((status) => status === 200);
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'every server healthy after the faults' },
  );
}
