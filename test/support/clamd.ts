// A real clamd for the scanning tests, started with the project's scripts/services/start-clamd.sh
// (idempotent, ~0.1 s; installs Debian's clamav-daemon the first time, ~30 s). The shared
// instance (CLAMD_DIR /tmp/datafiles-clamd, port 3310) is left running for the next test file,
// as RGW is (test/support/rgw.ts). Tests that stop or freeze clamd start a private one with
// startPrivateClamd and stop it themselves.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKeyValueLines, runServiceScript } from './rgw.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const startScript = path.join(repositoryRoot, 'scripts/services/start-clamd.sh');
const stopScript = path.join(repositoryRoot, 'scripts/services/stop-clamd.sh');

export interface ClamdSettings {
  dir: string;
  host: string;
  port: number;
  socket: string;
  /** For --clamd. */
  tcpUrl: string;
  unixUrl: string;
  /** What it was started with (restartClamd starts it again the same way). */
  options: StartOptions;
  /** The running clamd's process id (to SIGSTOP it). */
  pid(): Promise<number>;
}

/**
 * The 68-byte EICAR test file, assembled from two halves so that this source file itself is not
 * reported by a scanner.
 */
export const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR' + '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1');
export const EICAR_SIGNATURE = /^Eicar-Test-Signature(\.UNOFFICIAL)?$/;

let shared: Promise<ClamdSettings> | undefined;

/** The shared clamd (started if need be, once per process). */
export function ensureClamd(): Promise<ClamdSettings> {
  shared ??= startClamd({});
  return shared;
}

/** A clamd of one's own (stop it with stopClamd). Limits as in clamd.conf, e.g. '1M'. */
export async function startPrivateClamd(options: { streamMax?: string; maxFileSize?: string } = {}): Promise<ClamdSettings> {
  const dir = await mkdtemp(path.join(tmpdir(), 'datafiles-clamd-'));
  try {
    return await startClamd({ dir, port: await freePort(), ...options });
  } catch {
    // The free port we picked may have been taken in between (tests run in parallel): once more.
    return startClamd({ dir, port: await freePort(), ...options });
  }
}

/** Stops a private clamd; with keep, its state dir stays for restartClamd. */
export async function stopClamd(settings: ClamdSettings, { keep = false } = {}): Promise<void> {
  const { code, stderr } = await runServiceScript(stopScript, { CLAMD_DIR: settings.dir, CLAMD_KEEP: keep ? '1' : '0' });
  if (code !== 0) throw new Error(`stop-clamd.sh failed: ${stderr}`);
}

/** Starts (or restarts, after stopClamd with the same settings) a clamd. */
interface StartOptions {
  dir?: string;
  port?: number;
  streamMax?: string;
  maxFileSize?: string;
}

export async function startClamd(options: StartOptions): Promise<ClamdSettings> {
  const envDir = await mkdtemp(path.join(tmpdir(), 'datafiles-clamd-settings-'));
  const envFile = path.join(envDir, 'clamd.env');
  const env: Record<string, string> = { CLAMD_ENV_FILE: envFile };
  if (options.dir) env.CLAMD_DIR = options.dir;
  if (options.port !== undefined) env.CLAMD_PORT = String(options.port);
  if (options.streamMax) env.CLAMD_STREAM_MAX = options.streamMax;
  if (options.maxFileSize) env.CLAMD_MAX_FILE_SIZE = options.maxFileSize;
  try {
    const { code, stderr } = await runServiceScript(startScript, env);
    if (code !== 0) {
      throw new Error(
        `Could not start clamd for the scanning tests (${startScript} exited with ${code}).\nLast lines of its output:\n${stderr.split('\n').slice(-25).join('\n')}`,
      );
    }
    const values = parseKeyValueLines(await readFile(envFile, 'utf8'));
    const socket = values.get('CLAMD_SOCKET') ?? '';
    const dir = path.dirname(socket);
    const host = values.get('CLAMD_HOST') ?? '127.0.0.1';
    const port = Number(values.get('CLAMD_PORT') ?? '3310');
    return {
      dir,
      host,
      port,
      socket,
      options: { ...options, dir, port },
      tcpUrl: `tcp://${host}:${port}`,
      unixUrl: `unix:${socket}`,
      pid: async () => Number((await readFile(path.join(dir, 'clamd.pid'), 'utf8')).trim()),
    };
  } finally {
    await rm(envDir, { recursive: true, force: true });
  }
}

/** Restarts a private clamd stopped with stopClamd (keeping its state dir, port and limits). */
export async function restartClamd(settings: ClamdSettings): Promise<ClamdSettings> {
  return startClamd(settings.options);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
