// The randomized fault history ("Jepsen-lite", issue 16 item 5): three servers on a private
// PostgreSQL + radosgw (cluster.ts), clients doing random operations checked against a model
// (client.ts, model.ts) while a nemesis kills servers and freezes the dependencies (nemesis.ts),
// then the final checks (finalCheck.ts). Seeded: the seed is printed, DATAFILES_FAULT_SEED replays
// the same choices (the interleaving still depends on timing). Run by test/fault-history.test.ts
// (2 minutes) and `npm run soak -- --minutes N` (test/fault-history/soak.ts).
import { FaultClient, OPERATIONS } from './client.js';
import { FaultCluster } from './cluster.js';
import { checkFinalState } from './finalCheck.js';
import { Model, Tally } from './model.js';
import { FAULTS, runNemesis, settle } from './nemesis.js';
import { Seeded } from './seeded.js';

export interface HistoryOptions {
  seed: string;
  durationMs: number;
  clients?: number;
  servers?: number;
  log?: (line: string) => void;
}

export interface HistoryResult {
  seed: string;
  operations: Record<string, number>;
  outcomes: Record<string, number>;
  faults: Record<string, number>;
  violations: Array<{ kind: string; detail: string }>;
  report: string;
}

const sorted = (map: Map<string, number>, keys: readonly string[] = []): Record<string, number> =>
  Object.fromEntries([...new Set([...keys, ...map.keys()])].sort().map((key) => [key, map.get(key) ?? 0]));

export async function runFaultHistory(options: HistoryOptions): Promise<HistoryResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const tally = new Tally();
  const model = new Model();
  log(`fault history: seed ${options.seed} (replay with DATAFILES_FAULT_SEED=${options.seed}), ${Math.round(options.durationMs / 1000)} s of faults`);
  const cluster = await FaultCluster.create(options.servers ?? 3);
  try {
    const clients: FaultClient[] = [];
    for (let index = 0; index < (options.clients ?? 8); index += 1) {
      const user = await cluster.slots[0].server!.addUser(`fault-client-${index}`);
      clients.push(new FaultClient(index, user.token, cluster, model, tally, new Seeded(options.seed, `client ${index}`), () => clients));
    }
    const stop = new AbortController();
    const started = Date.now();
    const until = started + options.durationMs;
    const nemesis = runNemesis(cluster, tally, new Seeded(options.seed, 'nemesis'), stop.signal, (line) =>
      log(`  nemesis +${((Date.now() - started) / 1000).toFixed(1)} s: ${line}`),
    );
    await Promise.all(clients.map((client) => client.run(until)));
    stop.abort();
    await nemesis;
    await settle(cluster);
    await checkFinalState(cluster, model, clients, tally, (line) => log(`  ${line}`));
  } catch (error) {
    log(`servers' last output:\n${cluster.output()}`);
    throw error;
  } finally {
    await cluster.destroy();
  }
  const result: HistoryResult = {
    seed: options.seed,
    operations: sorted(tally.operations, Object.keys(OPERATIONS)),
    outcomes: sorted(tally.outcomes),
    faults: sorted(tally.faults, Object.keys(FAULTS)),
    violations: tally.violations,
    report: '',
  };
  const total = (record: Record<string, number>) => Object.values(record).reduce((sum, count) => sum + count, 0);
  result.report = [
    `fault history, seed ${result.seed}:`,
    `  operations: ${total(result.operations)} (${Object.entries(result.operations)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')})`,
    `  faults injected: ${total(result.faults)} (${Object.entries(result.faults)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')})`,
    `  answers: ${Object.entries(result.outcomes)
      .map(([kind, count]) => `${kind}: ${count}`)
      .join(', ')}`,
    `  violations: ${result.violations.length}`,
    ...result.violations.slice(0, 30).map((violation) => `    ${violation.kind}: ${violation.detail}`),
  ].join('\n');
  log(result.report);
  return result;
}
