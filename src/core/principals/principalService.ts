// Users, groups and tokens, and turning a token into a Caller (docs/decisions.md 20).
import { hashToken } from '../accounts/tokenFormat.js';
import { actorOf, TokenService, type Minter } from '../accounts/tokenService.js';
import type { AuditService } from '../audit/auditService.js';
import { DomainError, isDomainError } from '../errors.js';
import type { Caller, Group, User } from '../model.js';
import type { Scope, TokenRecord } from '../accounts/model.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadataStore.js';

export { hashToken };

export interface TokenOptions {
  label?: string;
  scope?: Scope;
  /** A duration (90d) or never (TokenService.issue). */
  expires?: string;
}

const PRINCIPAL_NAME = /^[A-Za-z0-9._@-]{1,128}$/;

export function validatePrincipalName(name: string): string {
  if (!PRINCIPAL_NAME.test(name)) {
    throw new DomainError('BAD_REQUEST', 'A user or group name is 1–128 letters, digits, dots, dashes, underscores or @.');
  }
  return name;
}

export class PrincipalService {
  readonly tokens: TokenService;

  constructor(private readonly deps: { metadata: MetadataStore; clock: Clock; tokens?: TokenService; audit?: AuditService }) {
    this.tokens = deps.tokens ?? new TokenService({ metadata: deps.metadata, clock: deps.clock });
  }

  private get principals() {
    return this.deps.metadata.principals;
  }

  /** The Caller a token names; 401 saying why otherwise (TokenService.authenticate). */
  async authenticate(token: string | undefined): Promise<Caller> {
    return this.tokens.authenticate(token);
  }

  /** Adds a user with a first token (the operator's: default scope and lifetime unless given). */
  async addUser(input: { name: string; isAdmin: boolean; token?: TokenOptions; by?: Minter }): Promise<{ user: User; token: string; record: TokenRecord }> {
    const user = await this.principals.createUser({ name: validatePrincipalName(input.name), isAdmin: input.isAdmin, createdAt: this.deps.clock.now() });
    await this.deps.audit?.record({
      kind: 'user.created',
      actor: actorOf(input.by),
      subject: `user:${user.name}`,
      details: { userId: user.id, isAdmin: user.isAdmin },
    });
    // The first token is the admin's (or operator's) doing: its scope and lifetime rules are theirs.
    const { secret, record } = await this.tokens.issue({ user, by: input.by ?? { operator: true }, label: 'first token', ...input.token });
    return { user, token: secret, record };
  }

  /** Issues a new token for a user given by id or name (the operator, at the command line). */
  async createTokenFor(userRef: string, options: TokenOptions = {}): Promise<{ user: User; token: string; record: TokenRecord }> {
    const user = await this.findUser(userRef);
    const { secret, record } = await this.tokens.issue({ user, by: { operator: true }, ...options });
    return { user, token: secret, record };
  }

  async addGroup(name: string, by?: Minter): Promise<Group> {
    const group = await this.principals.createGroup({ name: validatePrincipalName(name) });
    await this.deps.audit?.record({ kind: 'group.created', actor: actorOf(by), subject: `group:${group.name}`, details: { groupId: group.id } });
    return group;
  }

  async addGroupMember(input: { group: string; user: string; by?: Minter }): Promise<{ group: Group; user: User }> {
    const group = await this.findGroup(input.group);
    const user = await this.findUser(input.user);
    await this.principals.addGroupMember({ groupId: group.id, userId: user.id });
    await this.deps.audit?.record({
      kind: 'group.member_added',
      actor: actorOf(input.by),
      subject: `group:${group.name}`,
      details: { groupId: group.id, userId: user.id, user: user.name },
    });
    return { group, user };
  }

  /**
   * On an empty instance, creates the `admin` user. With a preset token (DATAFILES_ADMIN_TOKEN)
   * that token is registered; otherwise a fresh one is generated and returned to be shown once.
   */
  async bootstrapAdmin(presetToken?: string): Promise<{ user: User; token?: string } | undefined> {
    if ((await this.principals.countUsers()) > 0) {
      if (presetToken) await this.ensurePresetAdminToken(presetToken);
      return undefined;
    }
    let user: User;
    try {
      user = await this.principals.createUser({ name: 'admin', isAdmin: true, createdAt: this.deps.clock.now() });
    } catch (error) {
      // Several servers starting at once on one empty database (scale-out): another one created
      // the admin between our count and our insert. Not an error: the instance has its admin.
      if (!isDomainError(error, 'NAME_TAKEN')) throw error;
      if (presetToken) await this.ensurePresetAdminToken(presetToken);
      return undefined;
    }
    if (presetToken) {
      await this.addPresetToken(user.id, presetToken);
      return { user };
    }
    // The operator's first token never expires: it is how the instance is administered.
    const { secret } = await this.tokens.issue({ user, by: { operator: true }, label: 'instance admin (first start)', expires: 'never' });
    return { user, token: secret };
  }

  private async ensurePresetAdminToken(token: string): Promise<void> {
    if (await this.principals.findUserByTokenHash(hashToken(token))) return;
    const admin = await this.principals.findUserByName('admin');
    if (admin?.isAdmin) await this.addPresetToken(admin.id, token);
  }

  /** Servers starting at once with the same preset token race to add it: losing that race is fine. */
  private async addPresetToken(userId: number, token: string): Promise<void> {
    try {
      await this.principals.addToken({ userId, tokenHash: hashToken(token), createdAt: this.deps.clock.now() });
    } catch (error) {
      if ((await this.principals.findUserByTokenHash(hashToken(token)))?.id === userId) return;
      throw error;
    }
  }

  async findUser(ref: string): Promise<User> {
    const user = /^[0-9]+$/.test(ref) ? await this.principals.getUser(Number(ref)) : await this.principals.findUserByName(ref);
    if (!user) throw new DomainError('USER_NOT_FOUND', `No user ${ref}.`);
    return user;
  }

  async findGroup(ref: string): Promise<Group> {
    const group = /^[0-9]+$/.test(ref) ? await this.principals.getGroup(Number(ref)) : await this.principals.findGroupByName(ref);
    if (!group) throw new DomainError('GROUP_NOT_FOUND', `No group ${ref}.`);
    return group;
  }
}
