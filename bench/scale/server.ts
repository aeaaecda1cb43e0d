// `datafiles serve` on a generated instance, as users run it (the built CLI, its own process), and
// the few HTTP calls the scale measurements make through it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { memoryOf } from '../../test/support/processMemory.js';
import { now, seconds, sleep } from '../support/measure.js';
import { stopChild } from '../support/processes.js';
import type { Instance } from './instance.js';

const API = '/domo/data-files/v1';
const CLI = path.resolve(import.meta.dirname, '../../bin/datafiles.js');

export interface ScaleServer {
  url: string;
  child: ChildProcess;
  /** From spawn to "listening": process start, opening the stores, the start-up sweeps' launch. */
  startSeconds: number;
  memory(): Promise<{ rssBytes: number; peakRssBytes: number }>;
  stop(): Promise<void>;
}

export async function startScaleServer(instance: Instance, extraArgs: readonly string[] = []): Promise<ScaleServer> {
  const logFile = path.join(instance.dataDir, 'server.log');
  const log = openSync(logFile, 'w');
  const started = now();
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', instance.dataDir, ...instance.args, ...extraArgs], {
      env: { ...process.env, DATAFILES_LOG_LEVEL: 'warn' },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  let url: string | undefined;
  while (!url) {
    const output = await readFile(logFile, 'utf8');
    url = /^datafiles: listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output)?.[1];
    if (url) break;
    if (child.exitCode !== null || seconds(started) > 120) {
      child.kill('SIGKILL');
      throw new Error(`datafiles did not start:\n${output}`);
    }
    await sleep(5);
  }
  const startSeconds = seconds(started);
  return {
    url,
    child,
    startSeconds,
    memory: () => memoryOf(child.pid!),
    stop: () => stopChild(child, 'SIGTERM'),
  };
}

/** One request, timed from send to the last byte of the answer; non-2xx answers are errors unless allowed. */
export async function timedCall(
  server: ScaleServer,
  token: string,
  pathAndQuery: string,
  init: RequestInit & { allow?: readonly number[] } = {},
): Promise<{ seconds: number; status: number; body: any; bytes: number }> {
  const headers = new Headers(init.headers);
  headers.set('X-DOMO-Ryuu-Session', token);
  const started = now();
  const response = await fetch(`${server.url}${API}${pathAndQuery}`, { ...init, headers });
  const text = await response.text();
  const elapsed = seconds(started);
  if (!response.ok && !(init.allow ?? []).includes(response.status)) {
    throw new Error(`${init.method ?? 'GET'} ${pathAndQuery} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return {
    seconds: elapsed,
    status: response.status,
    body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
    bytes: text.length,
  };
}

/** Streams a response to its end without keeping it, counting bytes and `{"dataFileId"` items. */
export async function drain(server: ScaleServer, token: string, pathAndQuery: string): Promise<{ seconds: number; bytes: number; files: number }> {
  const started = now();
  const response = await fetch(`${server.url}${API}${pathAndQuery}`, { headers: { 'X-DOMO-Ryuu-Session': token } });
  if (!response.ok || !response.body) throw new Error(`GET ${pathAndQuery} answered ${response.status}`);
  let bytes = 0;
  let files = 0;
  let tail = '';
  const marker = '{"dataFileId"';
  const decoder = new TextDecoder();
  for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) {
    bytes += (chunk as Buffer).byteLength;
    // A file's object starts with its id (a revision's with dataFileRevisionId); a marker split
    // across two chunks is found in the kept tail.
    const text = tail + decoder.decode(chunk as Buffer, { stream: true });
    files += text.split(marker).length - 1;
    tail = text.slice(-(marker.length - 1));
  }
  return { seconds: seconds(started), bytes, files };
}
