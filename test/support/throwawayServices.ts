// Real PostgreSQL and RGW processes of a test's own, to stop, freeze and restart (test/faults.test.ts
// says why): a throwaway PostgreSQL cluster run as the postgres user, and a second radosgw on the
// project's shared Ceph cluster. The shared services on :5432 and :7480 are never touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './waitFor.js';

const execFileAsync = promisify(execFile);

const PG_BIN = process.env.DATAFILES_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const CEPH_DIR = process.env.CEPH_RGW_DIR ?? '/tmp/datafiles-ceph-rgw';
const CEPH_CONF = path.join(CEPH_DIR, 'ceph.conf');

// ------------------------------------------------------------------------------- helpers

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** waitFor (waitFor.ts), polling every 200 ms (a request may fail meanwhile); the time it took. */
export async function waitUntil(what: string, condition: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(() => condition().catch(() => false), { what, timeoutMs: withinMs, intervalMs: 200 });
  return Date.now() - started;
}

/** A PostgreSQL cluster of our own, in a temporary directory, owned by the postgres user. */
export class DedicatedPostgres {
  private constructor(
    readonly directory: string,
    readonly port: number,
  ) {}

  static async create(): Promise<DedicatedPostgres> {
    if (process.getuid?.() !== 0) throw new Error('The PostgreSQL fault tests run a cluster of their own as the postgres user (runuser), which needs root.');
    const directory = await mkdtemp(path.join(os.tmpdir(), 'datafiles-faults-pg-'));
    const idOf = async (flag: '-u' | '-g') => Number((await execFileAsync('id', [flag, 'postgres'])).stdout.trim());
    await chown(directory, await idOf('-u'), await idOf('-g'));
    const cluster = new DedicatedPostgres(directory, await freePort());
    await cluster.asPostgres(`${PG_BIN}/initdb`, ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await cluster.start();
    return cluster;
  }

  get dataDir(): string {
    return path.join(this.directory, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private asPostgres(command: string, args: string[]) {
    return execFileAsync('runuser', ['-u', 'postgres', '--', command, ...args]);
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.directory} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await this.asPostgres(`${PG_BIN}/pg_ctl`, ['-D', this.dataDir, '-l', path.join(this.directory, 'log'), '-o', options, '-w', 'start']);
  }

  async stop(): Promise<void> {
    await this.asPostgres(`${PG_BIN}/pg_ctl`, ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  /** The postmaster and every backend it forked (its children), by id. */
  private async pids(): Promise<number[]> {
    const postmaster = Number((await readFile(path.join(this.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const { stdout } = await execFileAsync('pgrep', ['-P', String(postmaster)]).catch(() => ({ stdout: '' }));
    return [postmaster, ...stdout.split('\n').filter(Boolean).map(Number)];
  }

  /** Freeze every process of the cluster: connections are accepted by the kernel, never answered. */
  async pause(): Promise<void> {
    for (const pid of await this.pids()) signalPid(pid, 'SIGSTOP');
  }

  async resume(): Promise<void> {
    for (const pid of await this.pids()) signalPid(pid, 'SIGCONT');
  }

  async destroy(): Promise<void> {
    if (existsSync(path.join(this.dataDir, 'postmaster.pid'))) {
      await this.resume().catch(() => undefined);
      await this.asPostgres(`${PG_BIN}/pg_ctl`, ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** A radosgw of our own on the shared Ceph cluster, in the foreground so we hold its process. */
export class ThrowawayRgw {
  private child: ChildProcess | undefined;
  private constructor(
    readonly directory: string,
    readonly port: number,
    readonly name: string,
  ) {}

  static async create(): Promise<ThrowawayRgw> {
    if (!existsSync(CEPH_CONF)) {
      throw new Error(
        `The RGW fault tests run a radosgw of their own on the project's Ceph cluster, and found none (${CEPH_CONF}); start it with scripts/services/start-ceph-rgw.sh.`,
      );
    }
    const directory = await mkdtemp(path.join(os.tmpdir(), 'datafiles-faults-rgw-'));
    const rgw = new ThrowawayRgw(directory, await freePort(), `client.rgw.datafiles-faults-${randomBytes(4).toString('hex')}`);
    await execFileAsync('ceph', [
      '-c',
      CEPH_CONF,
      'auth',
      'get-or-create',
      rgw.name,
      'mon',
      'allow rw',
      'osd',
      'allow rwx',
      'mgr',
      'allow rw',
      '-o',
      rgw.keyring,
    ]);
    await rgw.start();
    return rgw;
  }

  get keyring(): string {
    return path.join(this.directory, 'keyring');
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts radosgw (again: the same command line each time) and waits until it answers. */
  async start(): Promise<void> {
    const d = this.directory;
    // prettier-ignore
    this.child = spawn('radosgw', [
      '-c', CEPH_CONF, '-n', this.name, '-f', '--keyring', this.keyring,
      '--rgw-frontends', `beast endpoint=127.0.0.1:${this.port}`,
      '--pid-file', path.join(d, 'rgw.pid'), '--log-file', path.join(d, 'rgw.log'),
      '--admin-socket', path.join(d, 'rgw.asok'), '--rgw-data', path.join(d, 'data'),
    ], { stdio: 'ignore' });
    const child = this.child;
    // Should this test process end without its after hook (a crash), take radosgw with it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    await waitUntil(
      'radosgw answering',
      async () => {
        if (child.exitCode !== null) throw new Error(`radosgw exited with ${child.exitCode}`);
        return (await fetch(this.endpoint, { signal: AbortSignal.timeout(1000) })).ok;
      },
      60_000,
    );
  }

  /** SIGTERM, as an operator (or a crash) takes it down: the port refuses from then on. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.stop();
    await execFileAsync('ceph', ['-c', CEPH_CONF, 'auth', 'del', this.name]).catch(() => undefined);
    await rm(this.directory, { recursive: true, force: true });
  }
}
