// The units, medians and small helpers every measurement shares.
import { spawn } from 'node:child_process';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** MiB/s for `bytes` moved in `seconds`. */
export function rate(bytes: number, seconds: number): number {
  return bytes / MiB / seconds;
}

export function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

export function now(): bigint {
  return process.hrtime.bigint();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting its output. */
export function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like run(), but a non-zero exit is an error naming the command. */
export async function runOk(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${result.stderr || result.stdout}`);
  return result;
}

/**
 * One curl transfer, timed by curl itself (no process start-up in the figure). Returns the HTTP
 * status, seconds and the response body (when not sent to /dev/null).
 */
export async function curl(args: readonly string[]): Promise<{ status: number; seconds: number; body: string }> {
  const marker = '\n@@curl@@';
  const result = await run('curl', ['-sS', '--http1.1', '-w', `${marker}%{http_code} %{time_total}`, ...args]);
  if (result.code !== 0) throw new Error(`curl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  const at = result.stdout.lastIndexOf(marker);
  const [status, total] = result.stdout
    .slice(at + marker.length)
    .trim()
    .split(' ');
  return { status: Number(status), seconds: Number(total), body: result.stdout.slice(0, at) };
}

/** curl that must answer 2xx. */
export async function curlOk(args: readonly string[]): Promise<{ status: number; seconds: number; body: string }> {
  const result = await curl(args);
  if (result.status < 200 || result.status > 299) throw new Error(`curl ${args.join(' ')} answered ${result.status}: ${result.body.slice(0, 500)}`);
  return result;
}

/** The load average over the last minute, to note how noisy the machine was. */
export async function loadAverage(): Promise<number> {
  const { loadavg } = await import('node:os');
  return loadavg()[0];
}
