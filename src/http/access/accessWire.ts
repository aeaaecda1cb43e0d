// How access management's records look on the wire (issue 12). Times are epoch milliseconds, as
// everywhere in this API (docs/decisions.md 1); a token's secret appears only in the answer that
// creates it.
import { Type } from '@sinclair/typebox';
import type { Account, TokenRecord } from '../../core/accounts/model.js';
import type { Group, User } from '../../core/model.js';

export type TokenState = 'active' | 'revoked' | 'expired';

export function tokenState(token: TokenRecord, now: number): TokenState {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && now >= token.expiresAt) return 'expired';
  return 'active';
}

export function tokenWire(token: TokenRecord, now: number) {
  return { ...token, state: tokenState(token, now) };
}

export function userWire(user: User | Account) {
  return { id: user.id, name: user.name, isAdmin: user.isAdmin, createdAt: user.createdAt, disabledAt: 'disabledAt' in user ? user.disabledAt : null };
}

export function groupWire(group: Group) {
  return { id: group.id, name: group.name };
}

export const UserRefParams = Type.Object({ user: Type.String({ minLength: 1, maxLength: 128, description: 'A user id or name' }) });
export const GroupRefParams = Type.Object({ group: Type.String({ minLength: 1, maxLength: 128, description: 'A group id or name' }) });
export const MemberParams = Type.Object({ group: Type.String({ minLength: 1, maxLength: 128 }), user: Type.String({ minLength: 1, maxLength: 128 }) });
export const TokenIdParams = Type.Object({ tokenId: Type.String({ pattern: '^[0-9]{1,15}$', description: 'A token id (never its secret)' }) });
export const PageQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 128, description: 'Only names starting with this (case-insensitive)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});
export const NewTokenBody = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 200 })),
    scope: Type.Optional(Type.Union([Type.Literal('read'), Type.Literal('write'), Type.Literal('admin')])),
    expires: Type.Optional(Type.String({ maxLength: 20, description: 'A lifetime: 30m, 12h, 90d, 2w, 1y, or never (admins only)' })),
  },
  { additionalProperties: false },
);
export const NewUserBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 128 }), isAdmin: Type.Optional(Type.Boolean()), token: Type.Optional(NewTokenBody) },
  { additionalProperties: false },
);
export const NameBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });
