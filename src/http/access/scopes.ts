// docs/decisions.md 61: what each token scope allows, checked per route right after
// authentication. A route may name the scope it needs in its config (`config: { scope }`);
// otherwise reads (GET, HEAD) need `read` and everything else (upload, revisions, sessions,
// delete, permission changes) `write`. The admin API needs `admin` (access/adminRoutes.ts). The
// file grant is checked afterwards by the domain, as before: a scope only ever narrows.
import type { FastifyRequest } from 'fastify';
import { scopeRank, type Scope } from '../../core/accounts/model.js';
import { DomainError } from '../../core/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The token scope this route needs (docs/decisions.md 61). */
    scope?: Scope;
  }
}

export function scopeNeeded(request: FastifyRequest): Scope {
  const configured = request.routeOptions.config?.scope;
  if (configured) return configured;
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
}

/** SCOPE_TOO_NARROW (403) when the caller's token does not reach the scope the route needs. */
export function requireScope(request: FastifyRequest): void {
  const token = request.caller?.token;
  if (!token) return;
  const needed = scopeNeeded(request);
  if (scopeRank(token.scope) < scopeRank(needed)) {
    throw new DomainError(
      'SCOPE_TOO_NARROW',
      `This token has scope ${token.scope}; ${request.method} here needs scope ${needed}. Use a token with scope ${needed}.`,
    );
  }
}
