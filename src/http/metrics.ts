// GET /metrics in Prometheus text format (docs/architecture.md, convention 7): request counts by
// route and status, and request durations. Who may read it: docs/decisions.md 36.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors.js';
import type { PrincipalService } from '../core/principals/principalService.js';
import { tokenOf } from './authenticate.js';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  durations: Histogram<'method' | 'route'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'datafiles_' });
  return {
    registry,
    requests: new Counter({
      name: 'datafiles_http_requests_total',
      help: 'HTTP requests answered',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    durations: new Histogram({
      name: 'datafiles_http_request_duration_seconds',
      help: 'Time to answer HTTP requests',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [registry],
    }),
  };
}

/**
 * docs/decisions.md 36: `loopback` (the default) lets a client on this machine read /metrics and
 * asks anyone else for an instance admin's token; `admin` always asks for it; `open` asks no one.
 */
export type MetricsAccess = 'loopback' | 'admin' | 'open';

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/** A request a proxy on this machine forwarded comes from loopback but is not from this machine. */
function forwarded(request: FastifyRequest): boolean {
  const headers = request.headers;
  return headers.forwarded !== undefined || headers['x-forwarded-for'] !== undefined || headers['x-real-ip'] !== undefined;
}

async function allowMetrics(request: FastifyRequest, access: MetricsAccess, principals: PrincipalService): Promise<void> {
  if (access === 'open') return;
  // The socket's peer, never a header a client could write (whatever --trust-proxy says).
  if (access === 'loopback' && isLoopback(request.socket.remoteAddress) && !forwarded(request)) return;
  const how = access === 'loopback' ? 'from another machine needs' : 'needs';
  const token = tokenOf(request);
  if (token === undefined) throw new DomainError('UNAUTHENTICATED', `GET /metrics ${how} an instance admin's token (--metrics-access ${access}).`);
  const caller = await principals.authenticate(token);
  if (!caller.user.isAdmin) throw new DomainError('FORBIDDEN', `GET /metrics ${how} an instance admin's token (--metrics-access ${access}).`);
}

export function registerMetrics(app: FastifyInstance, metrics: Metrics, guard: { access: MetricsAccess; principals: PrincipalService }): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.durations.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    await allowMetrics(request, guard.access, guard.principals);
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
