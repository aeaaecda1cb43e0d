// The datafiles API beside Domo's (issue 12), under /datafiles/v1 so that it can never collide
// with a Domo path: self-service (`/me`, my tokens), principal lookup for sharing, and the admin
// API (`/admin/…`, adminRoutes.ts). Same authentication as the Files API (docs/decisions.md 20), same
// per-route scope check (scopes.ts), same Domo-shaped errors.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService } from '../../core/accounts/accountService.js';
import type { AuditService } from '../../core/audit/auditService.js';
import type { QuotaService } from '../../core/quotas/quotaService.js';
import type { PrincipalService } from '../../core/principals/principalService.js';
import type { Clock } from '../../core/ports/clock.js';
import { parseId } from '../queryValues.js';
import { callerOf, typed } from '../routeContext.js';
import { groupWire, NewTokenBody, TokenIdParams, tokenWire, userWire } from './accessWire.js';
import { registerAdminRoutes } from './adminRoutes.js';
import { registerAuditRoutes } from './auditRoutes.js';
import { registerQuotaRoutes } from './quotaRoutes.js';
import { registerLoginLinkRoute, registerSignInRoute, registerSignOutRoute } from './signInRoutes.js';
import type { SignInService } from '../../core/accounts/signInService.js';

export const ACCESS_PREFIX = '/datafiles/v1';

export interface AccessApiOptions {
  principals: PrincipalService;
  accounts: AccountService;
  audit?: AuditService;
  quotas?: QuotaService;
  clock: Clock;
  /** Sign-in links and browser sessions (issue 15; docs/decisions.md 114). */
  signIn?: SignInService;
  /** The Files API's own authentication (app.ts): limits, CSRF rule, token, scope, request caps. */
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export async function registerAccessApi(app: FastifyInstance, options: AccessApiOptions): Promise<void> {
  const { accounts, clock, signIn } = options;
  // The one route under the prefix that takes no token: its body carries a one-time code.
  if (signIn) await app.register(async (plugin) => registerSignInRoute(typed(plugin), { signIn, clock }), { prefix: ACCESS_PREFIX });
  await app.register(
    async (plugin) => {
      const api = typed(plugin);
      api.addHook('onRequest', options.authenticate);

      api.get('/me', { schema: { tags: ['self-service'], summary: 'Who I am: my user, my groups, my usage, the token I came with' } }, async (request) => {
        const me = await accounts.me(callerOf(request));
        const quotaBytes = (await options.quotas?.quotaOf(me.user.id)) ?? null;
        return {
          user: userWire(me.user),
          groups: me.groups.map(groupWire),
          usage: { ...me.usage, quotaBytes },
          token: me.token && tokenWire(me.token, clock.now()),
        };
      });

      api.get('/me/tokens', { schema: { tags: ['self-service'], summary: 'My tokens (never their secrets)' } }, async (request) => {
        const now = clock.now();
        return (await accounts.tokens.list(callerOf(request).user.id)).map((token) => tokenWire(token, now));
      });

      // Any scope may mint: the new token is never wider nor longer-lived than the one asking (docs/decisions.md 62).
      api.post(
        '/me/tokens',
        {
          config: { scope: 'read' },
          schema: { tags: ['self-service'], summary: 'Create a token for myself; its secret is in this answer only', body: Type.Optional(NewTokenBody) },
        },
        async (request, reply) => {
          const caller = callerOf(request);
          const body = request.body ?? {};
          const { record, secret } = await accounts.tokens.issue({ user: caller.user, by: { caller }, ...body });
          return reply.code(201).send({ ...tokenWire(record, clock.now()), token: secret });
        },
      );

      // Any scope may revoke its owner's tokens: revoking only ever takes rights away.
      api.delete(
        '/me/tokens/:tokenId',
        { config: { scope: 'read' }, schema: { tags: ['self-service'], summary: 'Revoke one of my tokens', params: TokenIdParams } },
        async (request) => {
          const caller = callerOf(request);
          const id = parseId(request.params.tokenId, 'tokenId');
          // Only the caller's own tokens here, admin or not: another user's token is not found.
          const selfOnly = { ...caller, user: { ...caller.user, isAdmin: false } };
          return tokenWire(await accounts.tokens.revoke(id, { caller: selfOnly }), clock.now());
        },
      );

      registerSignOutRoute(api, { accounts, clock });

      // docs/decisions.md 117: names are not secrets inside an instance (64); a list shows owners by name.
      api.get(
        '/users/names',
        {
          schema: {
            tags: ['sharing'],
            summary: 'The names of users by id (at most 100 ids; unknown ids are left out)',
            querystring: Type.Object({ ids: Type.String({ pattern: '^[0-9]{1,15}(,[0-9]{1,15}){0,99}$' }) }),
          },
        },
        async (request) => accounts.userNames([...new Set(request.query.ids.split(',').map(Number))]),
      );

      api.get(
        '/principals',
        {
          schema: {
            tags: ['sharing'],
            summary: 'Users and groups whose name starts with a prefix (for sharing by name; docs/decisions.md 64)',
            querystring: Type.Object({ prefix: Type.String({ minLength: 1, maxLength: 128 }) }),
          },
        },
        async (request) => accounts.lookup(request.query.prefix),
      );

      await api.register(
        async (admin) => {
          registerAdminRoutes(typed(admin), { accounts, clock });
          if (signIn) registerLoginLinkRoute(typed(admin), { accounts, signIn });
          if (options.audit) registerAuditRoutes(typed(admin), options.audit);
          if (options.quotas) registerQuotaRoutes(typed(admin), accounts, options.quotas);
        },
        { prefix: '/admin' },
      );
    },
    { prefix: ACCESS_PREFIX },
  );
}
