// The machine's own limits, measured in the same run as everything else: a durable disk write
// (write + fsync), MD5 and SHA-256 in Node on one thread, and loopback TCP between two processes.
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MiB, now, rate, seconds } from './support/measure.js';
import { startChild } from './support/processes.js';

const BLOCK = MiB;

function randomBlock(): Buffer {
  return randomFillSync(Buffer.allocUnsafe(BLOCK));
}

/** Writes `bytes` to a new file in 1 MiB writes, fsyncs it; MiB/s including the fsync. */
export function diskWriteFsync(directory: string, bytes: number): { rate: number; cpuPerGiB: number } {
  const block = randomBlock();
  const file = path.join(directory, `disk-${process.pid}-${Date.now()}.bin`);
  // The writes are synchronous, so this thread's CPU is theirs: mostly the kernel's copy into
  // the page cache and the writeback the fsync waits for.
  const cpuBefore = process.cpuUsage();
  const started = now();
  const fd = openSync(file, 'wx');
  try {
    for (let written = 0; written < bytes; written += BLOCK) {
      block.writeUInt32BE(written / BLOCK, 0);
      writeSync(fd, block, 0, Math.min(BLOCK, bytes - written));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const result = rate(bytes, seconds(started));
  const cpu = process.cpuUsage(cpuBefore);
  rmSync(file, { force: true });
  return { rate: result, cpuPerGiB: (cpu.user + cpu.system) / 1e6 / (bytes / (1024 * 1024 * 1024)) };
}

/** One algorithm over `bytes` in 64 KiB updates (the size of the chunks a socket delivers). */
export function hashRate(algorithm: 'md5' | 'sha256', bytes: number): number {
  const block = randomBlock();
  const chunk = 64 * 1024;
  const hash = createHash(algorithm);
  const started = now();
  for (let done = 0; done < bytes; done += chunk) hash.update(block.subarray(done % BLOCK, (done % BLOCK) + chunk));
  hash.digest();
  return rate(bytes, seconds(started));
}

/** Node to Node over 127.0.0.1: this process writes, a child process reads and discards. */
export async function loopbackTcp(bytes: number): Promise<number> {
  const sink = await startChild(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'servers/tcpSink.ts')]);
  try {
    const port = Number(new URL(sink.url).port);
    const block = randomBlock();
    return await new Promise<number>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let started = now();
      let sent = 0;
      let answer = '';
      socket.on('error', reject);
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('end', () => {
        const elapsed = seconds(started);
        if (Number(answer.trim()) !== bytes) reject(new Error(`the sink received ${answer.trim()} of ${bytes} bytes`));
        else resolve(rate(bytes, elapsed));
      });
      const pump = () => {
        while (sent < bytes) {
          const length = Math.min(BLOCK, bytes - sent);
          sent += length;
          if (!socket.write(length === BLOCK ? block : block.subarray(0, length))) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      socket.on('connect', () => {
        started = now();
        pump();
      });
    });
  } finally {
    await sink.stop();
  }
}
