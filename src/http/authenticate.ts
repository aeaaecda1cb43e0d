// docs/decisions.md 20: "A request names its user by a token, looked up in this order: header
// X-DOMO-Ryuu-Session (what ryuu.js sends), header X-DOMO-Developer-Token, Authorization: Bearer,
// query parameter ryuu_sid (what ryuu.js appends to <img src>/<a href> URLs), cookie ryuu_sid.
// No valid token: 401."
import type { FastifyRequest } from 'fastify';

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

export function tokenOf(request: FastifyRequest): string | undefined {
  return (
    header(request, 'x-domo-ryuu-session') ??
    header(request, 'x-domo-developer-token') ??
    // docs/decisions.md 77: Domo's session header, seen in a public client.
    header(request, 'x-domo-authentication') ??
    bearer(request) ??
    queryToken(request) ??
    cookieToken(request)
  );
}
