// Starts the real, built server (`datafiles serve`, as users run it) on a free port with a fresh
// data directory, and drives the admin CLI against it. Every end-to-end suite uses this.
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { provisionBackend, type BackendResources } from './backend.js';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'bin/datafiles.js');
export const API = '/domo/data-files/v1';

export interface TestUser {
  id: number;
  name: string;
  token: string;
}

export interface TestServer {
  url: string;
  /** The database and bucket behind this server (pass to a restart to keep its data). */
  backend: BackendResources;
  adminToken: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server printed so far (for diagnostics). */
  output(): string;
  /** Runs `datafiles ARGS --data DIR` and parses its JSON line. */
  cli(args: string[]): Promise<any>;
  addUser(name: string, options?: { admin?: boolean }): Promise<TestUser>;
  addGroup(name: string): Promise<{ id: number; name: string }>;
  addGroupMember(group: string | number, user: string | number): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash), keeping the data directory. */
  kill(): Promise<void>;
  /** Stops the server if running and removes the data directory (unless it was given). */
  cleanup(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data directory (e.g. to restart after a crash); otherwise a fresh one. */
  dataDir?: string;
  /**
   * Reuse a backend (database and bucket) across restarts; otherwise the configuration named by
   * DATAFILES_TEST_BACKEND is provisioned for this server and released by cleanup().
   */
  backend?: BackendResources;
  env?: Record<string, string>;
  args?: string[];
  adminToken?: string;
  /** How long to wait for "listening" (60 s unless given). */
  startTimeoutMs?: number;
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'datafiles-test-')));
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  const ownsBackend = options.backend === undefined;
  const backend = options.backend ?? (await provisionBackend());
  const env = { ...process.env, DATAFILES_ADMIN_TOKEN: adminToken, DATAFILES_LOG_LEVEL: 'info', ...backend.env, ...options.env };
  const serveArgs = [...backend.args, ...(options.args ?? [])];
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, ...serveArgs], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const startTimeoutMs = options.startTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${startTimeoutMs / 1000} s:\n${output}`));
    }, startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^datafiles: listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  // Keep collecting (and draining) output so the child never blocks on a full pipe.
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout!.removeAllListeners('data').on('data', keep);
  child.stderr!.removeAllListeners('data').on('data', keep);

  // Admin commands need the metadata store only: the data directory, or the database.
  const storageArgs = ['--data', dataDir, ...serveArgs.filter((arg, index, all) => arg === '--database-url' || all[index - 1] === '--database-url')];
  const cli = async (args: string[]) => {
    const { stdout } = await execFileAsync(process.execPath, [CLI, ...args, ...storageArgs], { env: { ...env } });
    const line = stdout.trim().split('\n').pop() ?? '';
    return line ? JSON.parse(line) : undefined;
  };

  const server: TestServer = {
    url,
    backend,
    adminToken,
    dataDir,
    child,
    output: () => output,
    cli,
    addUser: (name, userOptions) => cli(['users', 'add', name, ...(userOptions?.admin ? ['--admin'] : [])]),
    addGroup: (name) => cli(['groups', 'add', name]),
    addGroupMember: async (group, user) => {
      await cli(['groups', 'add-member', String(group), String(user)]);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return waitForExit(child);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await waitForExit(child);
    },
    async cleanup() {
      await server.kill();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      if (ownsBackend) await backend.release();
    },
  };
  return server;
}

/** fetch against the server with a token in Domo's header. */
export function api(server: { url: string }, token: string | undefined, pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('X-DOMO-Ryuu-Session', token);
  return fetch(`${server.url}${pathAndQuery}`, { ...init, headers });
}

/** A multipart form with one `file` field, as the spec's examples build it. */
export function fileForm(bytes: Uint8Array | string, filename = 'file.bin', type = 'application/octet-stream'): FormData {
  const form = new FormData();
  form.append('file', new Blob([bytes as BlobPart], { type }), filename);
  return form;
}

/** A Domo-shaped error answer with this status (and message, when given); its body. */
export async function assertError(response: Response, status: number, pattern?: RegExp): Promise<any> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  const body = JSON.parse(text);
  assert.equal(body.status, status);
  assert.equal(typeof body.toe, 'string');
  if (pattern) assert.match(body.message, pattern);
  return body;
}

/** A Domo-shaped error: this status, its reason phrase, and `toe` equal to X-Request-Id; its body. */
export async function assertDomoErrorAnswer(response: Response, status: number, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  assert.equal(response.status, status, `${what}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.status, status, what);
  assert.equal(body.statusReason, STATUS_CODES[status], what);
  assert.equal(body.toe, response.headers.get('x-request-id'), what);
  return body;
}
