// Where a server's CPU goes, by thread and by mode (Linux /proc): its event loop (the main
// thread, whose id is the process id) against the other threads (hashing workers, libuv's
// file-system pool), and user against kernel time. The single-upload figures use it to show what
// is left to cut once the hashes are paid for (issue 17, item 5; BENCHMARKS.md).
import { readFile } from 'node:fs/promises';

export interface ThreadCpu {
  /** CPU seconds of every thread, user + kernel. */
  total: number;
  /** CPU seconds of the main thread (the event loop), user + kernel. */
  eventLoop: number;
  /** Kernel-mode CPU seconds of every thread (system calls, page-cache copies, wake-ups). */
  kernel: number;
}

/** utime and stime of a /proc stat line (fields 14 and 15 of proc(5)), in seconds. */
function userAndKernel(stat: string): [number, number] {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[11]) / 100, Number(fields[12]) / 100];
}

/**
 * The process's CPU so far. The process's own stat counts threads that have exited too, so the
 * totals come from it; the main thread's from its task entry.
 */
export async function threadCpuOf(pid: number): Promise<ThreadCpu> {
  const [user, kernel] = userAndKernel(await readFile(`/proc/${pid}/stat`, 'utf8'));
  const [loopUser, loopKernel] = userAndKernel(await readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
  return { total: user + kernel, eventLoop: loopUser + loopKernel, kernel };
}

export function threadCpuSince(before: ThreadCpu, after: ThreadCpu): ThreadCpu {
  return { total: after.total - before.total, eventLoop: after.eventLoop - before.eventLoop, kernel: after.kernel - before.kernel };
}

/** CPU seconds of a process and of its descendants still running (nginx's master and its workers). */
export async function treeCpuSeconds(pid: number): Promise<number> {
  const [user, kernel] = userAndKernel(await readFile(`/proc/${pid}/stat`, 'utf8'));
  let total = user + kernel;
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim();
  for (const child of children ? children.split(/\s+/) : []) total += await treeCpuSeconds(Number(child)).catch(() => 0);
  return total;
}
