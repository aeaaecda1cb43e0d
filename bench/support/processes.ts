// Child processes the benchmark starts (peer servers, helpers): each prints one line
// `listening on http://127.0.0.1:PORT` once ready, and is stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { sampleMemory } from '../../test/support/processMemory.js';
import { MiB } from './measure.js';

export interface ChildServer {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startChild(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; ready?: RegExp | null; timeoutMs?: number } = {},
): Promise<ChildServer> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = options.ready === undefined ? /listening on (http:\/\/127\.0\.0\.1:\d+)/ : options.ready;
  const url = await new Promise<string>((resolve, reject) => {
    // A program that prints nothing when ready (nginx): the caller probes it instead.
    if (ready === null) {
      child.once('spawn', () => resolve(''));
      child.once('error', reject);
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not start:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? '');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready:\n${output}`));
    });
  });
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 1_000_000) output = output.slice(-500_000);
  };
  child.stdout!.removeAllListeners('data').on('data', keep);
  child.stderr!.removeAllListeners('data').on('data', keep);
  return {
    url,
    child,
    output: () => output,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

/** Samples a process's RSS until stopped; resolves with the highest seen and the kernel's VmHWM, in MiB. */
export function sampleRss(pid: number, intervalMs = 25): { stop(): Promise<{ sampledMiB: number; peakMiB: number }> } {
  const sampler = sampleMemory(pid, intervalMs);
  return {
    async stop() {
      const { highestRssBytes, peakRssBytes } = await sampler.stop();
      return { sampledMiB: highestRssBytes / MiB, peakMiB: peakRssBytes / MiB };
    },
  };
}

/** CPU seconds a process has used so far, all its threads (Linux /proc). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy CPU time of the whole machine so far (every process, every core), in seconds. */
export async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

/**
 * Measures what `work` costs: wall seconds, CPU seconds of the server process, and how many of
 * the machine's cores were busy on average (everything: client, server, other people's work).
 */
export async function withCpuAccounting<T>(
  serverPid: number,
  work: () => Promise<T>,
): Promise<{ result: T; serverCpu: number; busyCores: number; wall: number }> {
  const cpuBefore = await cpuSecondsOf(serverPid);
  const busyBefore = await machineBusySeconds();
  const started = process.hrtime.bigint();
  const result = await work();
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const serverCpu = (await cpuSecondsOf(serverPid)) - cpuBefore;
  const busyCores = ((await machineBusySeconds()) - busyBefore) / wall;
  return { result, serverCpu, busyCores, wall };
}
