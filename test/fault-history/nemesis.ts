// The nemesis of the fault history (issue 16 item 5), chosen and timed by its own seeded stream,
// with a quiet spell between faults: a server SIGKILLed (and started again a moment later, on a
// new port, in the background), every process of the private PostgreSQL cluster frozen (SIGSTOP,
// then SIGCONT), or the private radosgw frozen the same way; each for a few seconds. Pauses come
// one at a time; restarts overlap them. Never every server at once: the clients always have one.
import { waitFor } from '../support/waitFor.js';
import type { FaultCluster } from './cluster.js';
import type { Tally } from './model.js';
import type { Seeded } from './seeded.js';

export const FAULTS = { 'kill server': 4, 'pause postgres': 3, 'pause rgw': 3 } as const;

/** Resolves after `ms`, or at once when `stop` is aborted. */
function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done);
  });
}

export async function runNemesis(cluster: FaultCluster, tally: Tally, rng: Seeded, stop: AbortSignal, log: (line: string) => void): Promise<void> {
  // The nemesis's clock is the fault schedule, not a test's wait for a condition: a fault lasts a
  // drawn number of milliseconds, whatever the servers do meanwhile. A killed server is started
  // again in the background (a start takes seconds), so faults overlap with restarts; a start
  // that fails because a dependency is frozen is retried, as a service manager would.
  const restarts = new Set<Promise<void>>();
  while (!stop.aborted) {
    await pause(rng.int(500, 2500), stop);
    if (stop.aborted) break;
    let fault = rng.weighted(FAULTS);
    // At least one server keeps running.
    if (fault === 'kill server' && cluster.live().length < 2) fault = rng.next() < 0.5 ? 'pause postgres' : 'pause rgw';
    const lastsMs = rng.int(1000, 5000);
    tally.count(tally.faults, fault);
    const started = Date.now();
    if (fault === 'kill server') {
      const slot = rng.pick(cluster.live());
      await cluster.kill(slot);
      const restart = pause(lastsMs, stop)
        .then(() =>
          cluster.start(slot, (error) => {
            tally.count(tally.outcomes, 'server start failed (a dependency frozen), retried');
            log(`server ${slot.index} failed to start: ${error.message.split('\n').slice(-3).join(' ')}`);
          }),
        )
        .then(() => log(`killed server ${slot.index}; up again after ${Date.now() - started} ms`));
      restarts.add(restart);
      void restart.finally(() => restarts.delete(restart));
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
  await Promise.all(restarts);
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
