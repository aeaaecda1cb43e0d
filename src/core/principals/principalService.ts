// Users, groups and tokens, and turning a token into a Caller (docs/decisions.md 20).
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { randomToken } from '../randomToken.js';
import { DomainError, isDomainError } from '../errors.js';
import type { Caller, Group, User } from '../model.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadataStore.js';

/** "Tokens are random (≥ 32 bytes) and stored only as hashes." */
export function generateToken(): string {
  return randomToken(32);
}

/** crypto.hash, the one-shot hash of Node 20.12+ (this project supports 20.10+). */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, outputEncoding: 'hex') => string }).hash;

export function hashToken(token: string): string {
  // Every request pays this: the one-shot hash costs half as much as a Hash object.
  return oneShotHash ? oneShotHash('sha256', token, 'hex') : createHash('sha256').update(token, 'utf8').digest('hex');
}

const PRINCIPAL_NAME = /^[A-Za-z0-9._@-]{1,128}$/;

function validatePrincipalName(name: string): string {
  if (!PRINCIPAL_NAME.test(name)) {
    throw new DomainError('BAD_REQUEST', 'A user or group name is 1–128 letters, digits, dots, dashes, underscores or @.');
  }
  return name;
}

export class PrincipalService {
  constructor(private readonly deps: { metadata: MetadataStore; clock: Clock }) {}

  private get principals() {
    return this.deps.metadata.principals;
  }

  /** The Caller a token names, or UNAUTHENTICATED. */
  async authenticate(token: string | undefined): Promise<Caller> {
    // Tokens we issue are 43 characters; anything far longer is not worth hashing.
    if (!token || token.length > 512) throw new DomainError('UNAUTHENTICATED');
    const caller = await this.principals.findCallerByTokenHash(hashToken(token));
    if (!caller) throw new DomainError('UNAUTHENTICATED');
    return caller;
  }

  async addUser(input: { name: string; isAdmin: boolean }): Promise<{ user: User; token: string }> {
    const user = await this.principals.createUser({ name: validatePrincipalName(input.name), isAdmin: input.isAdmin, createdAt: this.deps.clock.now() });
    const token = await this.createToken(user.id);
    return { user, token };
  }

  /** Issues a new token for a user given by id or name. */
  async createTokenFor(userRef: string): Promise<{ user: User; token: string }> {
    const user = await this.findUser(userRef);
    return { user, token: await this.createToken(user.id) };
  }

  async addGroup(name: string): Promise<Group> {
    return this.principals.createGroup({ name: validatePrincipalName(name) });
  }

  async addGroupMember(input: { group: string; user: string }): Promise<{ group: Group; user: User }> {
    const group = await this.findGroup(input.group);
    const user = await this.findUser(input.user);
    await this.principals.addGroupMember({ groupId: group.id, userId: user.id });
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
    return { user, token: await this.createToken(user.id) };
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

  private async createToken(userId: number): Promise<string> {
    const token = generateToken();
    await this.principals.addToken({ userId, tokenHash: hashToken(token), createdAt: this.deps.clock.now() });
    return token;
  }

  private async findUser(ref: string): Promise<User> {
    const user = /^[0-9]+$/.test(ref) ? await this.principals.getUser(Number(ref)) : await this.principals.findUserByName(ref);
    if (!user) throw new DomainError('USER_NOT_FOUND', `No user ${ref}.`);
    return user;
  }

  private async findGroup(ref: string): Promise<Group> {
    const group = /^[0-9]+$/.test(ref) ? await this.principals.getGroup(Number(ref)) : await this.principals.findGroupByName(ref);
    if (!group) throw new DomainError('GROUP_NOT_FOUND', `No group ${ref}.`);
    return group;
  }
}
