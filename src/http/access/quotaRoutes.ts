// GET and PUT /datafiles/v1/admin/users/{user}/quota (docs/decisions.md 67): a user's own quota
// (null: the instance default), the one that applies, and its usage. Inside the admin plugin.
import { Type } from '@sinclair/typebox';
import type { AccountService } from '../../core/accounts/accountService.js';
import type { QuotaService } from '../../core/quotas/quotaService.js';
import { callerOf, type ApiInstance } from '../routeContext.js';
import { UserRefParams } from './accessWire.js';

const QuotaBody = Type.Object(
  {
    // One schema with two types, not a union (docs/decisions.md 136): a union let ajv's coercion
    // store null (the instance default) as 0 (no quota).
    quotaBytes: Type.Unsafe<number | null>({
      ...Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'bytes; 0 = no quota; null = the instance default' }),
      type: ['integer', 'null'],
    }),
  },
  { additionalProperties: false },
);

export function registerQuotaRoutes(admin: ApiInstance, accounts: AccountService, quotas: QuotaService): void {
  const describe = async (ref: string) => {
    const account = await accounts.account(ref);
    const [own, applies, usage] = await Promise.all([accounts.quotaOf(account.id), quotas.quotaOf(account.id), accounts.usageOf(account.id)]);
    return { userId: account.id, name: account.name, quotaBytes: own, effectiveQuotaBytes: applies ?? null, usage };
  };
  admin.get(
    '/users/:user/quota',
    { config: { scope: 'admin' }, schema: { tags: ['admin'], summary: "A user's quota and usage", params: UserRefParams } },
    async (request) => describe(request.params.user),
  );
  admin.put(
    '/users/:user/quota',
    {
      config: { scope: 'admin' },
      schema: { tags: ['admin'], summary: "Set a user's quota (null: the instance default)", params: UserRefParams, body: QuotaBody },
    },
    async (request) => {
      const ref = request.params.user;
      // The schema above admits a safe integer ≥ 0 or null only; the type provider cannot type a type list.
      await accounts.setQuota(ref, request.body.quotaBytes as number | null, callerOf(request));
      return describe(ref);
    },
  );
}
