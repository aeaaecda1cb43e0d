// Child processes the benchmark starts (peer servers, helpers): each prints one line
// `listening on http://127.0.0.1:PORT` once ready, and is stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { MiB } from './measure.js';

export interface ChildServer {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startChild(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; ready?: RegExp | null; timeoutMs?: number } = {}): Promise<ChildServer> {
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

/** Resident set and its high-water mark (Linux /proc). */
export async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Samples a process's RSS until stopped; resolves with the highest seen (and the kernel's VmHWM). */
export function sampleRss(pid: number, intervalMs = 25): { stop(): Promise<{ sampledMiB: number; peakMiB: number }> } {
  let highest = 0;
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const memory = await memoryOf(pid);
        highest = Math.max(highest, memory.rss);
        peak = Math.max(peak, memory.peak);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { sampledMiB: highest / MiB, peakMiB: peak / MiB };
    },
  };
}
