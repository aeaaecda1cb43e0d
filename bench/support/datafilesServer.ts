// Starts `datafiles serve` from a checkout (this one, or an older commit exported for comparison)
// on a free port with a fresh data directory, as users run it. Its log goes to a file, not
// through a pipe into the benchmark's own process (which also runs the load generator).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BackendResources } from '../../test/support/backend.js';
import { sleep } from './measure.js';
import { stopChild } from './processes.js';

const execFileAsync = promisify(execFile);

export interface DatafilesServer {
  url: string;
  adminToken: string;
  child: ChildProcess;
  addUser(name: string): Promise<{ id: number; token: string }>;
  stop(): Promise<void>;
}

export async function startDatafiles(input: {
  root: string;
  scratch: string;
  backend: BackendResources;
  logLevel: string;
  env?: Record<string, string>;
}): Promise<DatafilesServer> {
  const dataDir = await mkdtemp(path.join(input.scratch, 'datafiles-'));
  const logFile = path.join(dataDir, 'server.log');
  const adminToken = randomBytes(24).toString('base64url');
  const cli = path.join(input.root, 'bin/datafiles.js');
  const env = { ...process.env, DATAFILES_ADMIN_TOKEN: adminToken, DATAFILES_LOG_LEVEL: input.logLevel, ...input.backend.env, ...input.env };
  const log = openSync(logFile, 'w');
  let child: ChildProcess;
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server (e.g. --cpu-prof, to profile it as it is
  // measured; it is then stopped with SIGTERM, so that the profile gets written).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  try {
    child = spawn(process.execPath, [...nodeArgs, cli, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, ...input.backend.args], {
      env,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  let url: string | undefined;
  for (const started = Date.now(); !url;) {
    const output = await readFile(logFile, 'utf8');
    url = /^datafiles: listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output)?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`datafiles did not start:\n${output}`);
    }
    await sleep(50);
  }
  const storageArgs = ['--data', dataDir, ...input.backend.args.filter((arg, index, all) => arg === '--database-url' || all[index - 1] === '--database-url')];
  return {
    url,
    adminToken,
    child,
    async addUser(name) {
      const { stdout } = await execFileAsync(process.execPath, [cli, 'users', 'add', name, ...storageArgs], { env });
      return JSON.parse(stdout.trim().split('\n').pop()!);
    },
    async stop() {
      await stopChild(child, nodeArgs.length > 0 ? 'SIGTERM' : 'SIGKILL');
      if (process.env.BENCH_KEEP_SERVER_LOG) await copyFile(logFile, process.env.BENCH_KEEP_SERVER_LOG);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
