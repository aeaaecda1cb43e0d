// `datafiles serve`: locks its data directory (when a store lives there), opens the stores,
// sweeps what an earlier crash left, makes sure an admin exists, and serves until SIGTERM/SIGINT,
// which drains in-flight requests before exiting.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import { FailedAuthLimiter } from '../core/principals/failedAuthLimiter.js';
import { systemClock } from '../core/ports/clock.js';
import { buildApp } from '../http/app.js';
import { probe } from '../http/health.js';
import { createMetrics } from '../http/metrics.js';
import { sessionRoutes } from '../http/sessionRoutes.js';
import { diskFreeSpace } from './freeSpace.js';
import { createLogger } from './logger.js';
import { lockDataDirectory, prepareDataDirectory, type DataDirectoryLock } from './dataDirectory.js';
import { openBlobInventory, openStores, usesDataDirectory, type Stores } from './openStores.js';
import { scanMetrics } from './scanMetrics.js';
import { createScanning } from './scanning.js';
import { createServices } from './services.js';
import { downloadsStore } from './blobCache.js';
import { signInUrl } from '../core/accounts/signInService.js';
import { startOrphanSweeper } from './orphanSweeper.js';
import { startScrubber } from './scrubber.js';
import { sharedWorkerHasher } from '../adapters/hashing/workerHasher.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSessionSweeper } from './sessionSweeper.js';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  stores: Stores;
  logger: Logger;
  /** Stops accepting, waits for in-flight requests (up to shutdownTimeoutMs), closes the stores. */
  stop(): Promise<void>;
}

/**
 * docs/decisions.md 46: a sweep removes only what is provably dead. Temporaries untouched this
 * long are, on every store (another server sharing S3 may be writing the younger ones). What a
 * crash of this data directory's previous server left is removed at once by the disk store
 * itself, which the data directory's lock lets tell its own writes from a dead process's.
 */
const TEMPORARY_GRACE_MS = 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export async function startServer(config: ServeConfig, io: { announce: (text: string) => void }): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const directoryLock = holdDataDirectory(config, logger);
  let stores: Stores;
  try {
    stores = await openStores(config, { create: true, exclusiveDataDirectory: directoryLock !== undefined });
  } catch (error) {
    directoryLock?.release();
    throw error;
  }
  try {
    const sweptAtStart = await stores.blobs.sweepTemporary({ olderThanMs: TEMPORARY_GRACE_MS });
    if (sweptAtStart > 0) logger.info({ removed: sweptAtStart }, 'removed temporary files left by an interrupted run');

    // docs/decisions.md 85: without --clamd there is no scanner and revisions stay NOT_SCANNED.
    const scanning = config.scan ? createScanning(config.scan, stores, logger) : undefined;
    const metrics = createMetrics();
    const services = createServices(stores, {
      log: logger,
      sessions: {
        ttlMs: config.sessionTtlMs,
        maxPartBytes: config.maxPartBytes,
        maxOpenPerUser: config.maxOpenSessionsPerUser,
        commitLeaseMs: config.sessionCommitLeaseMs,
      },
      tokens: config.tokens,
      signIn: config.signIn,
      auditRetentionMs: config.audit.retentionMs,
      quotas: config.quotas,
      // The free-space guard watches the local disk the blobs go to; with S3 there is none to watch.
      freeSpace: config.s3 ? undefined : diskFreeSpace(config.dataDir),
      scan: scanning && { policy: scanning.config.policy, onPending: () => scanning.wake() },
      downloadBlobs: downloadsStore(stores.blobs, config.blobCache, metrics.registry),
    });
    const admin = await services.principals.bootstrapAdmin(config.adminToken);
    if (admin?.token) {
      io.announce(`datafiles: created the instance admin "admin" (id ${admin.user.id}). Its token, shown only this once:\n${admin.token}\n`);
    }

    const app = await buildApp({
      logger,
      context: { services, limits: { maxFileBytes: config.maxFileBytes, maxPartBytes: config.maxPartBytes, listBatchRows: config.listBatchRows } },
      principals: services.principals,
      failedAuthLimiter: new FailedAuthLimiter({ burst: config.authFailureBurst, perSecond: config.authFailureRate }, systemClock),
      trustProxy: config.trustProxy,
      access: {
        principals: services.principals,
        accounts: services.accounts,
        audit: services.audit,
        quotas: services.quotas,
        signIn: services.signIn,
        clock: systemClock,
      },
      audit: { audit: services.audit, failedAuthBurst: config.audit.failedAuthBurst },
      extraRoutes: sessionRoutes,
      connections: config.connections,
      metrics,
      metricsAccess: config.metricsAccess,
      health: {
        // Both at once: with both dependencies hanging, one after the other took twice the timeout.
        check: async () => {
          const [metadata, blobs] = await Promise.all([
            probe(() => stores.metadata.ping(), config.dependencyTimeoutMs),
            probe(() => stores.blobs.ping(), config.dependencyTimeoutMs),
          ]);
          return { metadata, blobs };
        },
      },
    });
    const sweeper = setInterval(() => {
      stores.blobs.sweepTemporary({ olderThanMs: TEMPORARY_GRACE_MS }).catch((error) => logger.warn({ err: error }, 'temporary sweep failed'));
      // docs/decisions.md 66: audit retention, on the same hourly beat.
      services.audit.expire().catch((error) => logger.warn({ err: error }, 'audit retention sweep failed'));
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
    await app.listen({ host: config.host, port: config.port });
    scanning?.start(scanMetrics(metrics.registry, stores.metadata.scans, systemClock));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url }, 'listening');
    // docs/decisions.md 115: the first start's sign-in link carries a one-time code, never the token.
    if (admin?.token) {
      const { code } = await services.signIn.issueCode(admin.user, { operator: true }, config.signIn.firstLinkTtlMs);
      const hours = Math.round((config.signIn.firstLinkTtlMs / 3_600_000) * 10) / 10;
      // Listening on every address: the link names this machine, as one opens it in a browser here.
      const linkBase = ['0.0.0.0', '::'].includes(config.host) ? `http://127.0.0.1:${port}` : url;
      io.announce(`datafiles: sign in to the web interface as "admin" with this link (it works once, for ${hours} h):\n${signInUrl(linkBase, code)}\n`);
    }
    // Printed whatever the log level: scripts (and our tests) wait for this line.
    io.announce(`datafiles: listening on ${url}\n`);
    // Started once listening, so a failed start has no sweep to stop (docs/decisions.md 95), and
    // not awaited: thousands of sessions that expired during a long stop do not delay serving
    // (docs/decisions.md 179).
    const sessionSweeper = startSessionSweeper({
      sessions: services.sessions,
      ttlMs: config.sessionTtlMs,
      commitLeaseMs: config.sessionCommitLeaseMs,
      log: logger,
    });
    const inventory = await openBlobInventory(config);
    const orphanSweeper = startOrphanSweeper({
      inventory,
      blobs: stores.blobs,
      metadata: stores.metadata,
      clock: systemClock,
      graceMs: config.orphanGraceMs,
      log: logger,
    });
    // docs/decisions.md 140: off unless --scrub-interval is given.
    const scrubber =
      config.scrub &&
      startScrubber({
        deps: { metadata: stores.metadata.verification, blobs: stores.blobs, hasher: sharedWorkerHasher(), clock: systemClock, sleep: (ms) => sleep(ms) },
        config: config.scrub,
        registry: metrics.registry,
        log: logger,
      });

    let stopping: Promise<void> | undefined;
    return {
      url,
      app,
      stores,
      logger,
      stop() {
        stopping ??= (async () => {
          clearInterval(sweeper);
          await sessionSweeper.stop();
          await orphanSweeper.stop();
          inventory.close?.();
          await scrubber?.stop();
          // Past the deadline, connections still open (a stalled upload) are cut.
          const deadline = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
          deadline.unref();
          await app.close();
          clearTimeout(deadline);
          await scanning?.stop();
          await stores.close();
          directoryLock?.release();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await stores.close();
    directoryLock?.release();
    throw error;
  }
}

/**
 * Creates the data directory owner-only and locks it, before anything in it is opened or swept
 * (docs/decisions.md 45, 46). Nothing to do when PostgreSQL and S3 hold everything.
 */
function holdDataDirectory(config: ServeConfig, logger: Logger): DataDirectoryLock | undefined {
  if (!usesDataDirectory(config)) return undefined;
  const { tightened } = prepareDataDirectory(config.dataDir);
  if (tightened) logger.warn({ dataDir: config.dataDir }, 'the data directory was open to other users; it is now owner-only (0700)');
  return lockDataDirectory(config.dataDir);
}
