// The system under test of the fault history (issue 16 item 5): three `datafiles serve` processes
// on one PostgreSQL + S3 instance, where both dependencies are processes of the test's own
// (test/support/throwawayServices.ts): a private PostgreSQL cluster (initdb on another port) and a
// second radosgw on the project's Ceph cluster. The shared PostgreSQL (:5432) and RGW (:7480),
// which every other test file uses at the same time, are never paused.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeBucket, type BackendResources } from '../support/backend.js';
import { ensureRgw } from '../support/rgw.js';
import { CLI, startTestServer, type TestServer } from '../support/server.js';
import { DedicatedPostgres, ThrowawayRgw } from '../support/throwawayServices.js';

/** How long a request waits for PostgreSQL or S3 before its 503. */
export const DEPENDENCY_TIMEOUT_MS = 1500;
/**
 * Far above the longest pause plus a timeout: a sweep must never take the bytes of an upload
 * whose row a paused PostgreSQL has yet to commit (docs/decisions.md 95).
 */
export const ORPHAN_GRACE_MS = 15_000;

export interface ServerSlot {
  index: number;
  /** The running server, or undefined while it is down. */
  server: TestServer | undefined;
  dataDir: string;
  /** Bumped at each kill: a request that saw another value may have been cut by it. */
  generation: number;
}

export class FaultCluster {
  readonly slots: ServerSlot[] = [];
  readonly adminToken = randomBytes(24).toString('base64url');
  private constructor(
    readonly postgres: DedicatedPostgres,
    readonly rgw: ThrowawayRgw,
    readonly backend: BackendResources,
  ) {}

  static async create(servers: number): Promise<FaultCluster> {
    const s3 = await ensureRgw(); // the shared Ceph cluster our radosgw joins
    const postgres = await DedicatedPostgres.create();
    let rgw: ThrowawayRgw | undefined;
    try {
      rgw = await ThrowawayRgw.create();
      const bucket = `datafiles-fault-history-${randomBytes(6).toString('hex')}`;
      const backend: BackendResources = {
        args: ['--database-url', postgres.url, '--s3-endpoint', rgw.endpoint, '--s3-bucket', bucket, '--s3-region', s3.region],
        env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
        release: async () => {},
      };
      const cluster = new FaultCluster(postgres, rgw, backend);
      for (let index = 0; index < servers; index += 1) {
        cluster.slots.push({ index, server: undefined, dataDir: await mkdtemp(path.join(os.tmpdir(), 'datafiles-fault-history-')), generation: 0 });
      }
      // One first, so that a single process creates the schema and the admin; then the others.
      await cluster.start(cluster.slots[0]);
      await Promise.all(cluster.slots.slice(1).map((slot) => cluster.start(slot)));
      return cluster;
    } catch (error) {
      await rgw?.destroy();
      await postgres.destroy();
      throw error;
    }
  }

  /**
   * Starts a slot's server, again and again while it fails to start (a dependency frozen at that
   * moment: a start-up error names it and exits), as a service manager would restart it.
   */
  async start(slot: ServerSlot, onFailedStart?: (error: Error) => void): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        slot.server = await this.startOnce(slot);
        return;
      } catch (error) {
        if (attempt >= 20) throw error;
        onFailedStart?.(error as Error);
      }
    }
  }

  private startOnce(slot: ServerSlot): Promise<TestServer> {
    return startTestServer({
      dataDir: slot.dataDir,
      backend: this.backend,
      adminToken: this.adminToken,
      args: [
        '--dependency-timeout-ms',
        String(DEPENDENCY_TIMEOUT_MS),
        '--orphan-grace-ms',
        String(ORPHAN_GRACE_MS),
        '--session-commit-lease-ms',
        '2000',
        '--session-ttl-ms',
        '60000',
        // The background scrub runs through the faults too (docs/decisions.md 140): a false
        // finding would mark a sound revision, and its downloads would fail the history.
        '--scrub-interval',
        '10s',
        '--scrub-max-mib-per-second',
        '0',
      ],
      env: { DATAFILES_LOG_LEVEL: 'warn' },
    });
  }

  /** SIGKILL: a crash, in-flight requests cut. */
  async kill(slot: ServerSlot): Promise<void> {
    const server = slot.server;
    slot.server = undefined;
    slot.generation += 1;
    await server?.kill();
  }

  /** SIGTERM, then start again: what an operator's restart does (sweeps run at start-up). */
  async restart(slot: ServerSlot): Promise<void> {
    const server = slot.server;
    slot.server = undefined;
    slot.generation += 1;
    await server?.stop();
    await this.start(slot);
  }

  live(): ServerSlot[] {
    return this.slots.filter((slot) => slot.server !== undefined);
  }

  /** `datafiles verify --grace-seconds 0` on the instance: its JSON report. */
  verify(): Promise<any> {
    return new Promise((resolve, reject) => {
      const args = [CLI, 'verify', '--grace-seconds', '0', '--data', this.slots[0].dataDir, ...this.backend.args];
      execFile(process.execPath, args, { env: { ...process.env, ...this.backend.env } }, (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`datafiles verify printed no report (${error?.message ?? 'exit 0'}):\n${stdout}\n${stderr}`));
        }
      });
    });
  }

  /** Everything printed by the servers still running (for a failure's message). */
  output(): string {
    return this.slots.map((slot) => `--- server ${slot.index}\n${slot.server?.output().slice(-4000) ?? '(down)'}`).join('\n');
  }

  async destroy(): Promise<void> {
    await this.postgres.resume().catch(() => undefined);
    this.rgw.resume();
    for (const slot of this.slots) {
      await slot.server?.kill();
      await rm(slot.dataDir, { recursive: true, force: true });
    }
    // The shared Ceph cluster keeps its objects in memory: the bucket goes too.
    const s3 = await ensureRgw();
    const bucket = this.backend.args[this.backend.args.indexOf('--s3-bucket') + 1];
    await removeBucket(s3, bucket).catch(() => undefined);
    await this.rgw.destroy();
    await this.postgres.destroy();
  }
}
