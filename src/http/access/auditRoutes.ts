// GET /datafiles/v1/admin/audit (docs/decisions.md 66): the audit log, newest first, filtered by
// actor, file, kind and time, paged with `before` (the last id of the previous page). Registered
// inside the admin plugin (adminRoutes.ts), so only an admin with an admin-scope token gets here.
import { Type } from '@sinclair/typebox';
import type { ApiInstance } from '../routeContext.js';
import type { AuditService } from '../../core/audit/auditService.js';
import { AUDIT_KINDS } from '../../core/audit/model.js';
import { DomainError } from '../../core/errors.js';

const TIME = Type.String({ maxLength: 40, description: 'epoch milliseconds or an ISO 8601 time' });

export const AuditQueryString = Type.Object({
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the actor’s name' })),
  file: Type.Optional(Type.Integer({ minimum: 1 })),
  kind: Type.Optional(Type.Union(AUDIT_KINDS.map((kind) => Type.Literal(kind)))),
  from: Type.Optional(TIME),
  to: Type.Optional(TIME),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'only events older than this id (the next page)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

export function parseTime(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = /^[0-9]{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value)) throw new DomainError('BAD_REQUEST', `${name} is epoch milliseconds or an ISO 8601 time; got "${text.slice(0, 40)}".`);
  return value;
}

export function registerAuditRoutes(admin: ApiInstance, audit: AuditService): void {
  admin.get(
    '/audit',
    {
      config: { scope: 'admin' },
      schema: { tags: ['admin'], summary: 'The audit log, newest first (filter by actor, file, kind, time; page with before)', querystring: AuditQueryString },
    },
    async (request) => {
      const query = request.query;
      return audit.list({
        actor: query.actor,
        fileId: query.file,
        kind: query.kind,
        from: parseTime(query.from, 'from'),
        to: parseTime(query.to, 'to'),
        before: query.before,
        limit: query.limit,
      });
    },
  );
}
