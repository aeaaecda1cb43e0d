// docs/decisions.md 20: "A request names its user by a token, looked up in this order: header
// X-DOMO-Ryuu-Session (what ryuu.js sends), header X-DOMO-Developer-Token, Authorization: Bearer,
// query parameter ryuu_sid (what ryuu.js appends to <img src>/<a href> URLs), cookie ryuu_sid.
// No valid token: 401."
// docs/decisions.md 40 narrows the last two to GET and HEAD (refuseCrossSiteWrites).
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}

function queryToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.ryuu_sid;
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

function cookieToken(request: FastifyRequest): string | undefined {
  const cookies = header(request, 'cookie');
  if (!cookies) return undefined;
  for (const pair of cookies.split(';')) {
    const [name, ...rest] = pair.trim().split('=');
    if (name === 'ryuu_sid') {
      try {
        return decodeURIComponent(rest.join('=')) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Where a request's token came from: a header a cross-site page cannot set, or a URL/cookie it can make a browser send. */
export type CredentialSource = 'header' | 'query' | 'cookie';

export function credentialOf(request: FastifyRequest): { token: string; source: CredentialSource } | undefined {
  const fromHeader =
    header(request, 'x-domo-ryuu-session') ??
    header(request, 'x-domo-developer-token') ??
    // docs/decisions.md 77: Domo's session header, seen in a public client.
    header(request, 'x-domo-authentication') ??
    bearer(request);
  if (fromHeader !== undefined) return { token: fromHeader, source: 'header' };
  const fromQuery = queryToken(request);
  if (fromQuery !== undefined) return { token: fromQuery, source: 'query' };
  const fromCookie = cookieToken(request);
  return fromCookie === undefined ? undefined : { token: fromCookie, source: 'cookie' };
}

export function tokenOf(request: FastifyRequest): string | undefined {
  return credentialOf(request)?.token;
}

/** GET and HEAD change nothing: what <img src> and <a href> send, with the cookie or ?ryuu_sid. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * docs/decisions.md 40 (CSRF): a request that may change something (any method but GET and HEAD)
 * is refused when a browser says it comes from a page on another site (Sec-Fetch-Site:
 * cross-site), whatever its credential, and is not authorised by a ryuu_sid cookie or query
 * parameter alone: a cross-site page can make a browser send those (a form's POST carries the
 * cookie) but cannot set a header without a CORS preflight, which this server never grants.
 */
export function refuseCrossSiteWrites(request: FastifyRequest, source: CredentialSource | undefined): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (header(request, 'sec-fetch-site')?.toLowerCase() === 'cross-site') throw new DomainError('CROSS_SITE');
  if (source === 'query' || source === 'cookie') throw new DomainError('UNSAFE_CREDENTIAL');
}
