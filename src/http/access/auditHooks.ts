// The audit events the HTTP layer sees (docs/decisions.md 66): file and revision deletes and
// permission changes, once answered with success (the domain did them; the answer says so), and
// bursts of failed authentication from one address. Account and token events are recorded by the
// services themselves (accountService.ts, tokenService.ts), which the admin CLI shares.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditService } from '../../core/audit/auditService.js';
import type { AuditKind } from '../../core/audit/model.js';

export interface AuditHookOptions {
  audit: AuditService;
  /** This many 401 answers to one address within a minute are recorded as one auth.failed_burst. */
  failedAuthBurst: number;
}

const WINDOW_MS = 60_000;
/** Bounds the per-address failure counts (one entry per address seen failing in the last minute). */
const MAX_ADDRESSES = 10_000;

/** The Files API routes (under either prefix) whose success is an audit event. */
function fileEventOf(request: FastifyRequest): AuditKind | undefined {
  const route = request.routeOptions.url ?? '';
  if (!route.startsWith('/domo/data-files/v1') && !route.startsWith('/api/data/v1/data-files')) return undefined;
  if (request.method === 'DELETE' && route.endsWith('/:dataFileId/revisions/:revisionId')) return 'revision.deleted';
  if (request.method === 'DELETE' && route.endsWith('/:dataFileId')) return 'file.deleted';
  if (request.method === 'PUT' && route.endsWith('/:dataFileId/permissions')) return 'permissions.changed';
  return undefined;
}

export function registerAuditHooks(app: FastifyInstance, { audit, failedAuthBurst }: AuditHookOptions): void {
  const failures = new Map<string, { since: number; count: number }>();

  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    if (status === 401) {
      const now = Date.now();
      const seen = failures.get(request.ip);
      const current = seen && now - seen.since < WINDOW_MS ? { since: seen.since, count: seen.count + 1 } : { since: now, count: 1 };
      if (!seen && failures.size >= MAX_ADDRESSES) failures.clear();
      failures.set(request.ip, current);
      if (current.count >= failedAuthBurst) {
        audit.recordAtMostEvery(`auth:${request.ip}`, WINDOW_MS, {
          kind: 'auth.failed_burst',
          actor: { id: null, name: 'anonymous' },
          subject: `address:${request.ip}`,
          details: { failures: current.count, withinMs: now - current.since, lastUrl: request.url.split('?')[0].slice(0, 200) },
        });
      }
    } else if (status >= 200 && status < 300 && request.caller) {
      const kind = fileEventOf(request);
      if (kind) {
        const params = request.params as { dataFileId?: string; revisionId?: string };
        const details: Record<string, unknown> = { method: request.method };
        if (params.revisionId) details.revisionId = Number(params.revisionId);
        if (kind === 'permissions.changed') details.permissions = request.body;
        void audit.record({
          kind,
          actor: { id: request.caller.user.id, name: request.caller.user.name },
          fileId: Number(params.dataFileId),
          subject: `file:${params.dataFileId}`,
          details,
        });
      }
    }
    done();
  });
}
