// Issue #5, item 6: "with PostgreSQL or RGW stopped, requests fail fast with 503 in Domo's error
// shape (no hang past a configurable timeout, no crash), /healthz reports which dependency is
// down, and service resumes by itself when it comes back."
//
// Real stops, not simulations, yet the shared services other suites use (PostgreSQL on :5432, the
// project's RGW on :7480) are never touched:
//   - PostgreSQL: a throwaway cluster of our own (initdb in a temporary directory, run as the
//     postgres user), stopped with `pg_ctl stop` and frozen with SIGSTOP;
//   - RGW: a second radosgw daemon, of our own, on the shared Ceph cluster (same mon and OSD, so
//     the same S3 users and buckets), on a port of its own; stopped with SIGTERM and restarted
//     with the same command line (the OSD keeps the data), frozen with SIGSTOP so that
//     connections are accepted but never answered.
// The server under test talks only to these two, with --dependency-timeout-ms 1500.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sha256Hex } from './support/bytes.js';
import { ensureRgw } from './support/rgw.js';
import { API, api, fileForm, startTestServer, type TestServer } from './support/server.js';

const execFileAsync = promisify(execFile);

const TIMEOUT_MS = 1500;
/** "No hang past a configurable timeout": every failing request must answer within this. */
const BOUND_MS = 1.5 * TIMEOUT_MS + 1000;
/** How long recovery may take once a dependency is back. */
const RECOVERY_MS = 15_000;

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function waitUntil(what: string, condition: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await condition().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await sleep(200);
  }
}

/** A PostgreSQL cluster of our own, in a temporary directory, owned by the postgres user. */
class DedicatedPostgres {
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
class ThrowawayRgw {
  private child: ChildProcess | undefined;
  private constructor(
    readonly directory: string,
    readonly port: number,
    readonly name: string,
  ) {}

  static async create(): Promise<ThrowawayRgw> {
    if (!existsSync(CEPH_CONF)) {
      throw new Error(`The RGW fault tests run a radosgw of their own on the project's Ceph cluster, and found none (${CEPH_CONF}); start it with scripts/services/start-ceph-rgw.sh.`);
    }
    const directory = await mkdtemp(path.join(os.tmpdir(), 'datafiles-faults-rgw-'));
    const rgw = new ThrowawayRgw(directory, await freePort(), `client.rgw.datafiles-faults-${randomBytes(4).toString('hex')}`);
    await execFileAsync('ceph', ['-c', CEPH_CONF, 'auth', 'get-or-create', rgw.name, 'mon', 'allow rw', 'osd', 'allow rwx', 'mgr', 'allow rw', '-o', rgw.keyring]);
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
    await waitUntil('radosgw answering', async () => {
      if (child.exitCode !== null) throw new Error(`radosgw exited with ${child.exitCode}`);
      return (await fetch(this.endpoint, { signal: AbortSignal.timeout(1000) })).ok;
    }, 60_000);
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

interface Timed {
  status: number;
  body: any;
  requestId: string | null;
  ms: number;
}

/** One request, timed, its body read; a client-side deadline far past the bound keeps a hang from stalling the suite. */
async function timed(server: TestServer, token: string, pathAndQuery: string, init: RequestInit = {}): Promise<Timed> {
  const started = Date.now();
  const response = await api(server, token, pathAndQuery, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  const ms = Date.now() - started;
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text, and the shape assertion will say so
  }
  return { status: response.status, body, requestId: response.headers.get('x-request-id'), ms };
}

/** 503 in Domo's shape {status, statusReason, message, toe}, within the bound. */
function assertUnavailable(result: Timed, what: string): void {
  assert.equal(result.status, 503, `${what}: expected 503, got ${result.status} ${JSON.stringify(result.body)}`);
  assert.equal(result.body.status, 503, what);
  assert.equal(result.body.statusReason, 'Service Unavailable', what);
  assert.equal(typeof result.body.message, 'string', what);
  assert.ok(result.body.message.length > 0, what);
  assert.equal(result.body.toe, result.requestId, `${what}: toe is the request id`);
  assert.ok(result.ms < BOUND_MS, `${what}: answered in ${result.ms} ms, bound ${BOUND_MS} ms`);
}

function assertAlive(server: TestServer): void {
  assert.equal(server.child.exitCode, null, `the server exited:\n${server.output().slice(-3000)}`);
  assert.equal(server.child.signalCode, null, 'the server was killed');
}

// ------------------------------------------------------------------------------- the suite

describe('dependency faults: 503 fast, /healthz names the dependency, recovery without restart', () => {
  let postgres: DedicatedPostgres | undefined;
  let rgw: ThrowawayRgw | undefined;
  let server: TestServer;
  let token: string;
  const timings: string[] = [];
  const content = randomBytes(256 * 1024);
  let fileId: number;

  const upload = (name: string, bytes: Uint8Array = content) =>
    timed(server, token, `${API}?name=${encodeURIComponent(name)}`, { method: 'POST', body: fileForm(bytes, name) });
  const list = () => timed(server, token, `${API}/details?limitToOwned=false`);
  const download = async (id: number) => {
    const started = Date.now();
    const response = await api(server, token, `${API}/${id}`, { signal: AbortSignal.timeout(30_000) });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, bytes, ms: Date.now() - started, requestId: response.headers.get('x-request-id') };
  };
  const downloadTimed = async (id: number): Promise<Timed> => {
    const result = await download(id);
    let body: any = result.bytes.toString();
    try {
      body = JSON.parse(body);
    } catch {
      // bytes of a file
    }
    return { status: result.status, body, requestId: result.requestId, ms: result.ms };
  };
  const healthz = () => timed(server, token, '/healthz');
  const createSession = (name: string) =>
    timed(server, token, `${API}/multipart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, contentType: 'application/octet-stream' }) });
  const putPart = (sessionId: string, index: number, bytes: Uint8Array) =>
    timed(server, token, `${API}/multipart/${sessionId}/part/${index}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes as BodyInit });

  before(async () => {
    const s3 = await ensureRgw(); // the shared Ceph cluster our radosgw joins
    postgres = await DedicatedPostgres.create();
    rgw = await ThrowawayRgw.create();
    token = randomBytes(24).toString('base64url');
    server = await startTestServer({
      adminToken: token,
      backend: {
        args: ['--database-url', postgres.url, '--s3-endpoint', rgw.endpoint, '--s3-bucket', `datafiles-faults-${randomBytes(6).toString('hex')}`, '--s3-region', s3.region],
        env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
        release: async () => {},
      },
      args: ['--dependency-timeout-ms', String(TIMEOUT_MS)],
      env: { DATAFILES_LOG_LEVEL: 'warn' },
    });
  });

  // Always: the dependencies back as they were (and gone), whatever failed.
  after(async () => {
    await server?.cleanup();
    await rgw?.destroy();
    await postgres?.destroy();
    if (timings.length > 0) console.log(`fault timings (bound ${BOUND_MS} ms):\n  ${timings.join('\n  ')}`);
  });

  const record = (what: string, result: { ms: number }) => timings.push(`${what}: ${result.ms} ms`);

  it('serves while both dependencies are up', async () => {
    const uploaded = await upload('before.bin');
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    fileId = uploaded.body.dataFileId;
    const health = await healthz();
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok', dependencies: { metadata: 'ok', blobs: 'ok' } });
  });

  describe('PostgreSQL', () => {
    it('stopped: requests answer 503 fast, /healthz names metadata, the server lives on', async () => {
      await postgres!.stop();
      for (const [what, run] of [
        ['list', list],
        ['upload', () => upload('during-pg-outage.bin')],
        ['download', () => downloadTimed(fileId)],
        ['details', () => timed(server, token, `${API}/${fileId}/details`)],
        ['create session', () => createSession('s.bin')],
      ] as const) {
        const result = await run();
        record(`PostgreSQL stopped, ${what}`, result);
        assertUnavailable(result, `PostgreSQL stopped, ${what}`);
      }
      const health = await healthz();
      record('PostgreSQL stopped, /healthz', health);
      assert.equal(health.status, 503);
      assert.deepEqual(health.body, { status: 'unavailable', dependencies: { metadata: 'down', blobs: 'ok' } });
      assert.ok(health.ms < BOUND_MS);
      assertAlive(server);
    });

    it('started again: service resumes without restarting the server', async () => {
      await postgres!.start();
      const ms = await waitUntil('list answers 200', async () => (await list()).status === 200, RECOVERY_MS);
      timings.push(`PostgreSQL back, first 200 after ${ms} ms`);
      assert.equal((await healthz()).status, 200);
      const uploaded = await upload('after-pg-outage.bin');
      assert.equal(uploaded.status, 200);
      const downloaded = await download(fileId);
      assert.equal(downloaded.status, 200);
      assert.equal(sha256Hex(downloaded.bytes), sha256Hex(content));
      assertAlive(server);
    });

    it('frozen (SIGSTOP: connections accepted, never answered): 503 within the bound, then recovery', async () => {
      await postgres!.pause();
      try {
        for (const [what, run] of [
          ['list', list],
          ['upload', () => upload('during-pg-freeze.bin')],
          ['download', () => downloadTimed(fileId)],
        ] as const) {
          const result = await run();
          record(`PostgreSQL frozen, ${what}`, result);
          assertUnavailable(result, `PostgreSQL frozen, ${what}`);
        }
        const health = await healthz();
        record('PostgreSQL frozen, /healthz', health);
        assert.equal(health.status, 503);
        assert.deepEqual(health.body.dependencies, { metadata: 'down', blobs: 'ok' });
        assertAlive(server);
      } finally {
        await postgres!.resume();
      }
      const ms = await waitUntil('list answers 200', async () => (await list()).status === 200, RECOVERY_MS);
      timings.push(`PostgreSQL thawed, first 200 after ${ms} ms`);
      assert.equal((await upload('after-pg-freeze.bin')).status, 200);
    });
  });

  it('both frozen: /healthz names both within the bound', async () => {
    await postgres!.pause();
    rgw!.pause();
    try {
      const health = await healthz();
      record('both frozen, /healthz', health);
      assert.equal(health.status, 503);
      assert.deepEqual(health.body.dependencies, { metadata: 'down', blobs: 'down' });
      assert.ok(health.ms < BOUND_MS, `/healthz answered in ${health.ms} ms`);
      const listed = await list();
      record('both frozen, list', listed);
      assertUnavailable(listed, 'both frozen, list');
      assertAlive(server);
    } finally {
      rgw!.resume();
      await postgres!.resume();
    }
    const ms = await waitUntil('list answers 200', async () => (await list()).status === 200, RECOVERY_MS);
    timings.push(`both thawed, first 200 after ${ms} ms`);
  });

  describe('RGW (S3)', () => {
    it('stopped: uploads and downloads answer 503 fast, /healthz names blobs, the server lives on', async () => {
      const session = await createSession('parts.bin');
      assert.equal(session.status, 200);
      await rgw!.stop();
      for (const [what, run] of [
        ['upload', () => upload('during-rgw-outage.bin')],
        ['download', () => downloadTimed(fileId)],
        ['part upload', () => putPart(session.body.sessionId, 1, randomBytes(64 * 1024))],
      ] as const) {
        const result = await run();
        record(`RGW stopped, ${what}`, result);
        assertUnavailable(result, `RGW stopped, ${what}`);
      }
      // Metadata alone still answers.
      assert.equal((await list()).status, 200);
      const health = await healthz();
      record('RGW stopped, /healthz', health);
      assert.equal(health.status, 503);
      assert.deepEqual(health.body, { status: 'unavailable', dependencies: { metadata: 'ok', blobs: 'down' } });
      assert.ok(health.ms < BOUND_MS);
      assertAlive(server);
    });

    it('started again: service resumes, and the bytes stored before are intact', async () => {
      await rgw!.start();
      const ms = await waitUntil('download answers 200', async () => (await download(fileId)).status === 200, RECOVERY_MS);
      timings.push(`RGW back, first 200 after ${ms} ms`);
      const downloaded = await download(fileId);
      assert.equal(sha256Hex(downloaded.bytes), sha256Hex(content));
      assert.equal((await upload('after-rgw-outage.bin')).status, 200);
      assert.equal((await healthz()).status, 200);
      assertAlive(server);
    });

    it('frozen (SIGSTOP: connections accepted, never answered): 503 within the bound, then recovery', async () => {
      const session = await createSession('parts-frozen.bin');
      assert.equal(session.status, 200);
      rgw!.pause();
      try {
        for (const [what, run] of [
          ['upload', () => upload('during-rgw-freeze.bin')],
          ['download', () => downloadTimed(fileId)],
          ['part upload', () => putPart(session.body.sessionId, 1, randomBytes(64 * 1024))],
        ] as const) {
          const result = await run();
          record(`RGW frozen, ${what}`, result);
          assertUnavailable(result, `RGW frozen, ${what}`);
        }
        const health = await healthz();
        record('RGW frozen, /healthz', health);
        assert.equal(health.status, 503);
        assert.deepEqual(health.body.dependencies, { metadata: 'ok', blobs: 'down' });
        assertAlive(server);
      } finally {
        rgw!.resume();
      }
      const ms = await waitUntil('download answers 200', async () => (await download(fileId)).status === 200, RECOVERY_MS);
      timings.push(`RGW thawed, first 200 after ${ms} ms`);
      const part = await putPart(session.body.sessionId, 1, content);
      assert.equal(part.status, 200, JSON.stringify(part.body));
      const commit = await timed(server, token, `${API}/multipart/${session.body.sessionId}/commit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(commit.status, 200, JSON.stringify(commit.body));
      const committed = await download(commit.body.dataFileId);
      assert.equal(sha256Hex(committed.bytes), sha256Hex(content));
      assertAlive(server);
    });
  });
});
