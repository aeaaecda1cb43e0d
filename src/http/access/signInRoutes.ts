// Signing in without passwords over HTTP (issue 15 item 2; docs/decisions.md 114-116): the web page
// exchanges a sign-in link's one-time code for a browser session token (POST /datafiles/v1/sign-in,
// the one route here without a token), ends it on sign-out (DELETE /datafiles/v1/me/session), and
// an admin issues links (POST /datafiles/v1/admin/users/:user/login-link), as `datafiles users
// login-link` does.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AccountService } from '../../core/accounts/accountService.js';
import { parseDuration } from '../../core/accounts/duration.js';
import { signInUrl, type SignInService } from '../../core/accounts/signInService.js';
import { DomainError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import { callerOf, type ApiInstance } from '../routeContext.js';
import { tokenWire, UserRefParams, userWire } from './accessWire.js';

const SignInBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 128, description: "The sign-in link's one-time code (its ?token= value)" }) },
  { additionalProperties: false },
);
const LoginLinkBody = Type.Object(
  { expires: Type.Optional(Type.String({ maxLength: 20, description: 'The link’s lifetime: 15m, 2h, 1d… (default --sign-in-link-ttl-minutes)' })) },
  { additionalProperties: false },
);

/** Unauthenticated: the code is the credential, and it works once. */
export function registerSignInRoute(api: ApiInstance, { signIn, clock }: { signIn: SignInService; clock: Clock }): void {
  api.post(
    '/sign-in',
    {
      schema: {
        tags: ['self-service'],
        summary: "Exchange a sign-in link's one-time code for a browser session token (in this answer only)",
        body: SignInBody,
      },
    },
    async (request, reply) => {
      const { user, record, secret } = await signIn.exchange(request.body.code);
      return reply.code(201).send({ user: userWire(user), token: secret, tokenRecord: tokenWire(record, clock.now()) });
    },
  );
}

/** Signing out: the token this request came with is revoked (a browser session, or any token). */
export function registerSignOutRoute(api: ApiInstance, { accounts, clock }: { accounts: AccountService; clock: Clock }): void {
  api.delete(
    '/me/session',
    { config: { scope: 'read' }, schema: { tags: ['self-service'], summary: 'Sign out: revoke the token this request came with' } },
    async (request) => {
      const caller = callerOf(request);
      if (!caller.token) throw new DomainError('CONFLICT', 'This credential is not a token record and cannot be revoked; ask an admin.');
      const selfOnly = { ...caller, user: { ...caller.user, isAdmin: false } };
      return tokenWire(await accounts.tokens.revoke(caller.token.id, { caller: selfOnly }), clock.now());
    },
  );
}

/** The address browsers reach this server by, as this request names it (X-Forwarded-* with --trust-proxy). */
function publicBase(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function registerLoginLinkRoute(admin: ApiInstance, { accounts, signIn }: { accounts: AccountService; signIn: SignInService }): void {
  admin.post(
    '/users/:user/login-link',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'A single-use, short-lived sign-in link for a user (as `datafiles users login-link`)',
        params: UserRefParams,
        body: Type.Optional(LoginLinkBody),
      },
    },
    async (request, reply) => {
      const user = await accounts.account(request.params.user);
      const expires = request.body?.expires;
      const ttlMs = expires === undefined ? undefined : parseDuration(expires);
      if (ttlMs === null) throw new DomainError('BAD_REQUEST', 'A sign-in link always expires: give a lifetime such as 15m or 2h.');
      const { code, expiresAt } = await signIn.issueCode(user, { caller: callerOf(request) }, ttlMs);
      return reply.code(201).send({ user: userWire(user), url: signInUrl(publicBase(request), code), expiresAt });
    },
  );
}
