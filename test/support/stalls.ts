// Clients that stop half-way, for the connection-limit suites: a request whose body stops
// arriving, a download nobody reads, and what the server's process holds meanwhile (descriptors,
// TCP states from /proc, Linux only).
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import { promisify } from 'node:util';
import { parseResponse, type RawResponse } from './rawHttp.js';

const execFileAsync = promisify(execFile);

/** Polls `condition` every 50 ms until it holds; fails naming `what` after `withinMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await new Promise((resume) => setTimeout(resume, 50));
  }
}

export interface StalledRequest {
  /** The answer, once one has arrived whole. */
  response(): RawResponse | undefined;
  /** The server closed (or reset) the connection. */
  closed(): boolean;
  socket: net.Socket;
}

/** Sends `head` and the start of a body, then nothing more; collects whatever comes back. */
export function stalledRequest(url: string, head: string, bodyStart: Buffer): Promise<StalledRequest> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    let parsed: RawResponse | undefined;
    let closed = false;
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.on('data', (chunk) => {
      received.push(chunk);
      parsed ??= parseResponse(Buffer.concat(received), { complete: false });
    });
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', () => {});
    socket.once('connect', () => {
      socket.write(head);
      socket.write(bodyStart, () => resolve({ response: () => parsed, closed: () => closed, socket }));
    });
    socket.once('error', (error) => {
      if (!socket.writable) reject(error);
    });
  });
}

/** How many descriptors the process has open. */
export async function openDescriptors(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/** Lowers a running process's descriptor limit (soft and hard), as `ulimit -n` would have. */
export async function limitDescriptors(pid: number, limit: number): Promise<void> {
  await execFileAsync('prlimit', ['--pid', String(pid), `--nofile=${limit}:${limit}`]);
}

const TCP_ESTABLISHED = '01';

/**
 * The state of the IPv4 TCP connection whose local port is `localPort` and remote port
 * `remotePort` (e.g. the server's end of a client's connection), from /proc/net/tcp; undefined
 * when there is none.
 */
export async function tcpState(localPort: number, remotePort: number): Promise<string | undefined> {
  const table = await readFile('/proc/net/tcp', 'latin1');
  for (const line of table.split('\n').slice(1)) {
    const [, local, remote, state] = line.trim().split(/\s+/);
    if (!local || !remote) continue;
    if (parseInt(local.split(':')[1], 16) === localPort && parseInt(remote.split(':')[1], 16) === remotePort) return state;
  }
  return undefined;
}

export async function isEstablished(localPort: number, remotePort: number): Promise<boolean> {
  return (await tcpState(localPort, remotePort)) === TCP_ESTABLISHED;
}
