// CPU used during a measurement window, split by process group (Linux /proc): the datafiles
// servers, PostgreSQL, Ceph (mon, mgr, OSD, RGW), the load generator (this process) and the whole
// machine (/proc/stat). Used by bench/mixedOps.ts to say what one operation costs, and where.
//
// PostgreSQL and Ceph are shared with whatever else runs on the machine. PostgreSQL's backends
// name their database in their title (`postgres: user db 127.0.0.1(port) idle`), so backends of
// other databases are left out; its background processes (checkpointer, WAL writer, ...) and
// every Ceph daemon cannot be split by client and are counted whole. A process that exits within
// the window takes its CPU with it (it still counts in the machine's figure).
import { readdir, readFile } from 'node:fs/promises';
import { machineBusySeconds } from './processes.js';

export const CPU_GROUPS = ['servers', 'postgres', 'ceph', 'clients'] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];

export const CPU_GROUP_LABELS: Record<CpuGroup | 'stack' | 'machine', string> = {
  servers: 'datafiles servers',
  postgres: 'PostgreSQL',
  ceph: 'Ceph (mon, mgr, OSD, RGW)',
  clients: 'load generator',
  stack: 'all four',
  machine: 'whole machine (/proc/stat)',
};

const CEPH = new Set(['ceph-osd', 'ceph-mon', 'ceph-mgr', 'radosgw']);
/** A backend's title: user, database, then the client's address. */
const BACKEND_TITLE = /^postgres: (\S+) (\S+) (\S+\(\d+\)|\[local\])/;

interface Snapshot {
  /** CPU seconds so far by pid, with the pid's group. */
  processes: Map<number, { group: CpuGroup; seconds: number }>;
  machine: number;
}

export type CpuSplit = Record<CpuGroup | 'machine', number>;

/** What every process of each group has used so far. */
async function snapshot(serverPids: readonly number[], database: string | undefined): Promise<Snapshot> {
  const processes = new Map<number, { group: CpuGroup; seconds: number }>();
  const servers = new Set(serverPids);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    let group: CpuGroup | undefined;
    if (servers.has(pid)) group = 'servers';
    else if (pid === process.pid) group = 'clients';
    else if (CEPH.has(name)) group = 'ceph';
    else if (name === 'postgres') {
      const title = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0+$/, '').replace(/\0/g, ' ');
      const backend = BACKEND_TITLE.exec(title);
      if (!backend || backend[2] === database) group = 'postgres';
    }
    if (!group) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    processes.set(pid, { group, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
  }
  return { processes, machine: await machineBusySeconds() };
}

/**
 * Runs `work` and returns, beside its result, the CPU seconds each group used meanwhile and the
 * window's wall seconds. `database`: the PostgreSQL database the servers use, if any.
 */
export async function withCpuGroups<T>(
  input: { serverPids: readonly number[]; database?: string },
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuSplit; wall: number }> {
  const before = await snapshot(input.serverPids, input.database);
  const started = performance.now();
  const result = await work();
  const wall = (performance.now() - started) / 1000;
  const after = await snapshot(input.serverPids, input.database);
  const cpu: CpuSplit = { servers: 0, postgres: 0, ceph: 0, clients: 0, machine: after.machine - before.machine };
  for (const [pid, { group, seconds }] of after.processes) cpu[group] += seconds - (before.processes.get(pid)?.seconds ?? 0);
  return { result, cpu, wall };
}

/** "embedded: 5.9 CPU-ms/op (servers 3.1, PostgreSQL 0.0, …); machine 12.0" for a log line. */
export function describeCpuPerOperation(cpu: CpuSplit, operations: number, wall: number): string {
  const perOp = (seconds: number) => ((seconds * 1000) / Math.max(1, operations)).toFixed(1);
  const stack = CPU_GROUPS.reduce((total, group) => total + cpu[group], 0);
  const parts = CPU_GROUPS.map((group) => `${CPU_GROUP_LABELS[group]} ${perOp(cpu[group])}`);
  return (
    `CPU-ms per op: ${perOp(stack)} (${parts.join(', ')}); whole machine ${perOp(cpu.machine)} ` +
    `(${(cpu.machine / wall).toFixed(2)} cores busy, ${(stack / wall).toFixed(2)} of them these four)`
  );
}
