// `datafiles serve`: opens the stores, sweeps what an earlier crash left, makes sure an admin
// exists, and serves until SIGTERM/SIGINT, which drains in-flight requests before exiting.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import { buildApp } from '../http/app.js';
import { probe } from '../http/health.js';
import { createMetrics } from '../http/metrics.js';
import { sessionRoutes } from '../http/sessionRoutes.js';
import { createLogger } from './logger.js';
import { openStores, type Stores } from './openStores.js';
import { createServices } from './services.js';
import { startSessionSweeper } from './sessionSweeper.js';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  stores: Stores;
  logger: Logger;
  /** Stops accepting, waits for in-flight requests (up to shutdownTimeoutMs), closes the stores. */
  stop(): Promise<void>;
}

/** Interrupted writes older than this are swept on shared stores (other servers may be mid-write). */
const SHARED_TEMPORARY_AGE_MS = 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export async function startServer(config: ServeConfig, io: { announce: (text: string) => void }): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const stores = await openStores(config);
  try {
    const sweptAtStart = await stores.blobs.sweepTemporary({ olderThanMs: stores.shared ? SHARED_TEMPORARY_AGE_MS : 0 });
    if (sweptAtStart > 0) logger.info({ removed: sweptAtStart }, 'removed temporary files left by an interrupted run');

    const services = createServices(stores, { log: logger, sessions: { ttlMs: config.sessionTtlMs, maxPartBytes: config.maxPartBytes, commitLeaseMs: config.sessionCommitLeaseMs } });
    const admin = await services.principals.bootstrapAdmin(config.adminToken);
    if (admin?.token) {
      io.announce(`datafiles: created the instance admin "admin" (id ${admin.user.id}). Its token, shown only this once:\n${admin.token}\n`);
    }

    const app = await buildApp({
      logger,
      context: { services, limits: { maxFileBytes: config.maxFileBytes, maxPartBytes: config.maxPartBytes } },
      principals: services.principals,
      extraRoutes: sessionRoutes,
      metrics: createMetrics(),
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
      stores.blobs.sweepTemporary({ olderThanMs: SHARED_TEMPORARY_AGE_MS }).catch((error) => logger.warn({ err: error }, 'temporary sweep failed'));
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
    const sessionSweeper = await startSessionSweeper({ sessions: services.sessions, ttlMs: config.sessionTtlMs, commitLeaseMs: config.sessionCommitLeaseMs, log: logger });

    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url }, 'listening');
    // Printed whatever the log level: scripts (and our tests) wait for this line.
    io.announce(`datafiles: listening on ${url}\n`);

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
          // Past the deadline, connections still open (a stalled upload) are cut.
          const deadline = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
          deadline.unref();
          await app.close();
          clearTimeout(deadline);
          await stores.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await stores.close();
    throw error;
  }
}
