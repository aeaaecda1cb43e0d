// Users, groups and tokens as an admin and each user see them (issue 12): what the admin API,
// the self-service API and the admin CLI share. Who may call what is decided by the caller of
// these methods: the HTTP layer lets only admins (with an admin-scope token) reach the admin
// operations; the CLI is the operator, with the stores in hand.
import { DomainError } from '../errors.js';
import type { Caller, Group, User } from '../model.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import { validatePrincipalName, type PrincipalService, type TokenOptions } from '../principals/principalService.js';
import type { Account, GroupSummary, TokenRecord, Usage } from './model.js';
import type { AuditService } from '../audit/auditService.js';
import { actorOf, type Minter } from './tokenService.js';

export const MAX_PAGE = 1000;
/** docs/decisions.md 64: a lookup answers at most this many names of each kind. */
export const LOOKUP_LIMIT = 20;

export interface UserDetails extends Account {
  groups: Group[];
  usage: Usage;
  tokens: TokenRecord[];
}

export interface PrincipalMatch {
  type: 'USER' | 'GROUP';
  id: number;
  name: string;
}

export function page(input: { limit?: number; offset?: number }): { limit: number; offset: number } {
  const limit = input.limit ?? 100;
  const offset = input.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new DomainError('BAD_REQUEST', `limit is an integer from 1 to ${MAX_PAGE}.`);
  if (!Number.isInteger(offset) || offset < 0) throw new DomainError('BAD_REQUEST', 'offset is an integer of 0 or more.');
  return { limit, offset };
}

function minterOf(by: Caller | undefined): Minter {
  return by ? { caller: by } : { operator: true };
}

export class AccountService {
  constructor(private readonly deps: { metadata: MetadataStore; clock: Clock; principals: PrincipalService; audit?: AuditService }) {}

  private async audit(
    kind: Parameters<AuditService['record']>[0]['kind'],
    by: Caller | undefined,
    subject: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.audit?.record({ kind, actor: actorOf(by), subject, details });
  }

  private get accounts() {
    return this.deps.metadata.accounts;
  }

  get tokens() {
    return this.deps.principals.tokens;
  }

  async account(ref: string): Promise<Account> {
    const user = await this.deps.principals.findUser(ref);
    const account = await this.accounts.getAccount(user.id);
    if (!account) throw new DomainError('USER_NOT_FOUND', `No user ${ref}.`);
    return account;
  }

  createUser(input: { name: string; isAdmin: boolean; token?: TokenOptions }, by?: Caller) {
    return this.deps.principals.addUser({ ...input, by: minterOf(by) });
  }

  listUsers(input: { prefix?: string; limit?: number; offset?: number }): Promise<Account[]> {
    return this.accounts.listAccounts({ namePrefix: input.prefix || undefined, ...page(input) });
  }

  async userDetails(ref: string): Promise<UserDetails> {
    const account = await this.account(ref);
    const [groups, usage, tokens] = await Promise.all([
      this.accounts.groupsOfUser(account.id),
      this.accounts.usageOf(account.id),
      this.accounts.listTokens({ userId: account.id }),
    ]);
    return { ...account, groups, usage, tokens };
  }

  /** A disabled user's tokens answer 401 from the next request on (TokenService.authenticate). */
  async setDisabled(ref: string, disabled: boolean, by?: Caller): Promise<Account> {
    const account = await this.account(ref);
    if (disabled && by && by.user.id === account.id) throw new DomainError('CONFLICT', 'An admin cannot disable itself: ask another admin.');
    if (disabled === (account.disabledAt !== null)) return account;
    const changed = await this.accounts.setDisabled({ userId: account.id, disabledAt: disabled ? this.deps.clock.now() : null });
    await this.audit(disabled ? 'user.disabled' : 'user.enabled', by, `user:${account.name}`, { userId: account.id });
    return changed;
  }

  /** Never orphans a file: with files, revisions or sessions, `transferTo` is required (docs/decisions.md 65). */
  async deleteUser(ref: string, transferToRef: string | undefined, by?: Caller): Promise<{ user: Account; transferTo?: Account; filesTransferred: number }> {
    const user = await this.account(ref);
    if (by && by.user.id === user.id) throw new DomainError('CONFLICT', 'An admin cannot delete itself: ask another admin.');
    const transferTo = transferToRef === undefined || transferToRef === '' ? undefined : await this.account(transferToRef);
    if (transferTo && transferTo.id === user.id) throw new DomainError('BAD_REQUEST', 'Transfer the files to another user than the one deleted.');
    if (transferTo && transferTo.disabledAt !== null)
      throw new DomainError('CONFLICT', `"${transferTo.name}" is disabled: transfer the files to an enabled user.`);
    const { filesTransferred } = await this.accounts.deleteUser({ userId: user.id, transferTo: transferTo?.id });
    await this.audit('user.deleted', by, `user:${user.name}`, { userId: user.id, transferTo: transferTo?.name ?? null, filesTransferred });
    return { user, transferTo, filesTransferred };
  }

  quotaOf(userId: number): Promise<number | null> {
    return this.accounts.getQuota(userId);
  }

  usageOf(userId: number): Promise<Usage> {
    return this.accounts.usageOf(userId);
  }

  /** null: the instance default (--default-user-quota-bytes); 0: no quota. */
  async setQuota(ref: string, quotaBytes: number | null, by?: Caller): Promise<Account> {
    const account = await this.account(ref);
    if (quotaBytes !== null && (!Number.isSafeInteger(quotaBytes) || quotaBytes < 0))
      throw new DomainError('BAD_REQUEST', 'quotaBytes is a whole number of bytes, 0 for none, or null for the instance default.');
    await this.accounts.setQuota({ userId: account.id, quotaBytes });
    await this.audit('user.quota_set', by, `user:${account.name}`, { userId: account.id, quotaBytes });
    return account;
  }

  createGroup(name: string, by?: Caller): Promise<Group> {
    return this.deps.principals.addGroup(name, minterOf(by));
  }

  listGroups(input: { prefix?: string; limit?: number; offset?: number }): Promise<GroupSummary[]> {
    return this.accounts.listGroups({ namePrefix: input.prefix || undefined, ...page(input) });
  }

  async groupDetails(ref: string): Promise<Group & { members: User[] }> {
    const group = await this.deps.principals.findGroup(ref);
    return { ...group, members: await this.accounts.membersOf(group.id) };
  }

  async renameGroup(ref: string, name: string, by?: Caller): Promise<Group> {
    const group = await this.deps.principals.findGroup(ref);
    const renamed = await this.accounts.renameGroup({ groupId: group.id, name: validatePrincipalName(name) });
    await this.audit('group.renamed', by, `group:${renamed.name}`, { groupId: group.id, from: group.name, to: renamed.name });
    return renamed;
  }

  /** Removes the group, its memberships and every permission entry naming it. */
  async deleteGroup(ref: string, by?: Caller): Promise<Group> {
    const group = await this.deps.principals.findGroup(ref);
    await this.accounts.deleteGroup(group.id);
    await this.audit('group.deleted', by, `group:${group.name}`, { groupId: group.id });
    return group;
  }

  addMember(group: string, user: string, by?: Caller) {
    return this.deps.principals.addGroupMember({ group, user, by: minterOf(by) });
  }

  async removeMember(groupRef: string, userRef: string, by?: Caller): Promise<{ group: Group; user: User }> {
    const group = await this.deps.principals.findGroup(groupRef);
    const user = await this.deps.principals.findUser(userRef);
    await this.accounts.removeGroupMember({ groupId: group.id, userId: user.id });
    await this.audit('group.member_removed', by, `group:${group.name}`, { groupId: group.id, userId: user.id, user: user.name });
    return { group, user };
  }

  async listTokens(userRef?: string): Promise<TokenRecord[]> {
    const userId = userRef === undefined ? undefined : (await this.deps.principals.findUser(userRef)).id;
    return this.tokens.list(userId);
  }

  async createToken(userRef: string, by: Minter, options: TokenOptions = {}): Promise<{ user: User; record: TokenRecord; secret: string }> {
    const user = await this.deps.principals.findUser(userRef);
    return { user, ...(await this.tokens.issue({ user, by, ...options })) };
  }

  async revokeAllTokens(userRef: string, by?: Caller): Promise<{ user: User; revoked: number }> {
    const user = await this.deps.principals.findUser(userRef);
    return { user, revoked: await this.tokens.revokeAllOf(user, minterOf(by)) };
  }

  /** The names of users by id (docs/decisions.md 117); ids with no user are left out. */
  async userNames(ids: number[]): Promise<{ id: number; name: string }[]> {
    if (ids.length > 100) throw new DomainError('BAD_REQUEST', 'At most 100 ids at a time.');
    const accounts = await Promise.all(ids.map((id) => this.accounts.getAccount(id)));
    return accounts.flatMap((account) => (account ? [{ id: account.id, name: account.name }] : []));
  }

  /** GET …/me: who the caller is, its groups, its usage and the token it came with. */
  async me(caller: Caller): Promise<{ user: Account; groups: Group[]; usage: Usage; token?: TokenRecord }> {
    const account = await this.accounts.getAccount(caller.user.id);
    if (!account) throw new DomainError('UNAUTHENTICATED');
    const [groups, usage] = await Promise.all([this.accounts.groupsOfUser(account.id), this.accounts.usageOf(account.id)]);
    return { user: account, groups, usage, token: caller.token };
  }

  /**
   * docs/decisions.md 64: any signed-in user may look up users and groups by name prefix (what
   * sharing by name needs; names are not secrets inside an instance), at most LOOKUP_LIMIT of
   * each, names and ids only. Disabled users are left out: one cannot share with them.
   */
  async lookup(prefix: string): Promise<PrincipalMatch[]> {
    const trimmed = prefix.trim();
    if (trimmed.length === 0 || trimmed.length > 128) throw new DomainError('BAD_REQUEST', 'prefix is 1 to 128 characters of a user or group name.');
    const [users, groups] = await Promise.all([
      this.accounts.listAccounts({ namePrefix: trimmed, limit: LOOKUP_LIMIT * 2, offset: 0 }),
      this.accounts.listGroups({ namePrefix: trimmed, limit: LOOKUP_LIMIT, offset: 0 }),
    ]);
    return [
      ...users
        .filter((user) => user.disabledAt === null)
        .slice(0, LOOKUP_LIMIT)
        .map((user) => ({ type: 'USER' as const, id: user.id, name: user.name })),
      ...groups.map((group) => ({ type: 'GROUP' as const, id: group.id, name: group.name })),
    ];
  }
}
