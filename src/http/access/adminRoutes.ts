// The admin API (issue 12), under /datafiles/v1/admin: users, groups and any user's tokens. Only an
// instance admin with an admin-scope token gets past the hook (docs/decisions.md 61).
import { Type } from '@sinclair/typebox';
import type { AccountService } from '../../core/accounts/accountService.js';
import { DomainError } from '../../core/errors.js';
import type { Clock } from '../../core/ports/clock.js';
import { parseId } from '../queryValues.js';
import { callerOf, type ApiInstance } from '../routeContext.js';
import {
  GroupRefParams,
  groupWire,
  MemberParams,
  NameBody,
  NewTokenBody,
  NewUserBody,
  PageQuery,
  TokenIdParams,
  tokenWire,
  UserRefParams,
  userWire,
} from './accessWire.js';

const ADMIN = { scope: 'admin' as const };
const tags = ['admin'];

export function registerAdminRoutes(admin: ApiInstance, { accounts, clock }: { accounts: AccountService; clock: Clock }): void {
  admin.addHook('onRequest', async (request) => {
    // The parent's hook checked the route's scope (admin, set on every route below).
    if (!callerOf(request).user.isAdmin) throw new DomainError('FORBIDDEN', 'Only an instance admin may use the admin API.');
  });

  // Users.
  admin.get(
    '/users',
    { config: ADMIN, schema: { tags, summary: 'List users, or search them by name prefix (q)', querystring: PageQuery } },
    async (request) => {
      const query = request.query;
      return (await accounts.listUsers({ prefix: query.q, limit: query.limit, offset: query.offset })).map(userWire);
    },
  );
  admin.post(
    '/users',
    { config: ADMIN, schema: { tags, summary: 'Create a user; its first token is in this answer only', body: NewUserBody } },
    async (request, reply) => {
      const body = request.body;
      const created = await accounts.createUser({ name: body.name, isAdmin: body.isAdmin ?? false, token: body.token }, callerOf(request));
      return reply.code(201).send({ user: userWire(created.user), token: created.token, tokenRecord: tokenWire(created.record, clock.now()) });
    },
  );
  admin.get(
    '/users/:user',
    { config: ADMIN, schema: { tags, summary: 'A user with its groups, usage and tokens', params: UserRefParams } },
    async (request) => {
      const details = await accounts.userDetails(request.params.user);
      const now = clock.now();
      return {
        ...userWire(details),
        groups: details.groups.map(groupWire),
        usage: details.usage,
        tokens: details.tokens.map((token) => tokenWire(token, now)),
      };
    },
  );
  admin.post(
    '/users/:user/disable',
    { config: ADMIN, schema: { tags, summary: 'Disable a user: its tokens stop working on the next request', params: UserRefParams } },
    async (request) => userWire(await accounts.setDisabled(request.params.user, true, callerOf(request))),
  );
  admin.post('/users/:user/enable', { config: ADMIN, schema: { tags, summary: 'Enable a disabled user', params: UserRefParams } }, async (request) =>
    userWire(await accounts.setDisabled(request.params.user, false, callerOf(request))),
  );
  admin.delete(
    '/users/:user',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Delete a user; its files go to transferTo (required when it has any: never orphaned)',
        params: UserRefParams,
        querystring: Type.Object({ transferTo: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }),
      },
    },
    async (request) => {
      const deleted = await accounts.deleteUser(request.params.user, request.query.transferTo, callerOf(request));
      return { deleted: userWire(deleted.user), transferTo: deleted.transferTo && userWire(deleted.transferTo), filesTransferred: deleted.filesTransferred };
    },
  );

  // Tokens of any user.
  admin.get(
    '/users/:user/tokens',
    { config: ADMIN, schema: { tags, summary: "A user's tokens (never their secrets)", params: UserRefParams } },
    async (request) => {
      const now = clock.now();
      return (await accounts.listTokens(request.params.user)).map((token) => tokenWire(token, now));
    },
  );
  admin.post(
    '/users/:user/tokens',
    {
      config: ADMIN,
      schema: { tags, summary: 'Create a token for a user; its secret is in this answer only', params: UserRefParams, body: Type.Optional(NewTokenBody) },
    },
    async (request, reply) => {
      const created = await accounts.createToken(request.params.user, { caller: callerOf(request) }, request.body ?? {});
      return reply.code(201).send({ ...tokenWire(created.record, clock.now()), token: created.secret });
    },
  );
  admin.post(
    '/users/:user/tokens/revoke-all',
    { config: ADMIN, schema: { tags, summary: 'Revoke every token of a user', params: UserRefParams } },
    async (request) => {
      const result = await accounts.revokeAllTokens(request.params.user, callerOf(request));
      return { user: userWire(result.user), revoked: result.revoked };
    },
  );
  admin.get('/tokens', { config: ADMIN, schema: { tags, summary: "Every user's tokens (never their secrets)" } }, async () => {
    const now = clock.now();
    return (await accounts.listTokens()).map((token) => tokenWire(token, now));
  });
  admin.delete('/tokens/:tokenId', { config: ADMIN, schema: { tags, summary: 'Revoke any token', params: TokenIdParams } }, async (request) =>
    tokenWire(await accounts.tokens.revoke(parseId(request.params.tokenId, 'tokenId'), { caller: callerOf(request) }), clock.now()),
  );

  // Groups.
  admin.get(
    '/groups',
    { config: ADMIN, schema: { tags, summary: 'List groups, or search them by name prefix (q)', querystring: PageQuery } },
    async (request) => {
      const query = request.query;
      return accounts.listGroups({ prefix: query.q, limit: query.limit, offset: query.offset });
    },
  );
  admin.post('/groups', { config: ADMIN, schema: { tags, summary: 'Create a group', body: NameBody } }, async (request, reply) =>
    reply.code(201).send(groupWire(await accounts.createGroup(request.body.name, callerOf(request)))),
  );
  admin.get('/groups/:group', { config: ADMIN, schema: { tags, summary: 'A group and its members', params: GroupRefParams } }, async (request) => {
    const details = await accounts.groupDetails(request.params.group);
    return { ...groupWire(details), members: details.members.map(userWire) };
  });
  admin.patch('/groups/:group', { config: ADMIN, schema: { tags, summary: 'Rename a group', params: GroupRefParams, body: NameBody } }, async (request) =>
    groupWire(await accounts.renameGroup(request.params.group, request.body.name, callerOf(request))),
  );
  admin.delete(
    '/groups/:group',
    { config: ADMIN, schema: { tags, summary: 'Delete a group, its memberships and the permission entries naming it', params: GroupRefParams } },
    async (request) => groupWire(await accounts.deleteGroup(request.params.group, callerOf(request))),
  );
  admin.put(
    '/groups/:group/members/:user',
    { config: ADMIN, schema: { tags, summary: 'Add a member (idempotent)', params: MemberParams } },
    async (request) => {
      const params = request.params;
      const added = await accounts.addMember(params.group, params.user, callerOf(request));
      return { group: groupWire(added.group), user: userWire(added.user) };
    },
  );
  admin.delete(
    '/groups/:group/members/:user',
    { config: ADMIN, schema: { tags, summary: 'Remove a member (idempotent)', params: MemberParams } },
    async (request) => {
      const params = request.params;
      const removed = await accounts.removeMember(params.group, params.user, callerOf(request));
      return { group: groupWire(removed.group), user: userWire(removed.user) };
    },
  );
}
