// Tokens as records (issue 12; docs/decisions.md 60-63): authentication checks revocation, expiry
// and the owner's disabled mark on every request, straight from the metadata store (no cache, so a
// revoke or disable holds on every server from the next request); issuing enforces the scope and
// lifetime rules; last use is written at most once a minute per token.
import type { AuditService } from '../audit/auditService.js';
import { OPERATOR, type Actor } from '../audit/model.js';
import { DomainError } from '../errors.js';
import type { Caller, User } from '../model.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import { formatDays, parseDuration } from './duration.js';
import { scopeRank, type Scope, type TokenRecord } from './model.js';
import { hashToken, newTokenSecret, tokenShape } from './tokenFormat.js';

const DAY_MS = 86_400_000;
export const DEFAULT_TOKEN_POLICY = { defaultTtlMs: 90 * DAY_MS, maxTtlMs: 365 * DAY_MS };
export type TokenPolicy = typeof DEFAULT_TOKEN_POLICY;

/** docs/decisions.md 63: how long a token's lastUsedAt may lag behind its real last use. */
export const TOUCH_INTERVAL_MS = 60_000;
/** Bounds the per-process memory of recent touches (one entry per token used in the last minute). */
const MAX_TOUCH_MEMORY = 10_000;

/** Who asks for a token: the operator at the command line (an admin by definition), or an HTTP caller. */
export type Minter = { operator: true } | { operator?: false; caller: Caller };

/** Who an audit event names for a minter. */
export function actorOf(by: Minter | Caller | undefined): Actor {
  if (by === undefined || ('operator' in by && by.operator)) return OPERATOR;
  const caller = 'caller' in by ? by.caller : (by as Caller);
  return { id: caller.user.id, name: caller.user.name };
}

const iso = (at: number) => new Date(at).toISOString();

export class TokenService {
  private readonly touched = new Map<number, number>();

  constructor(
    private readonly deps: {
      metadata: MetadataStore;
      clock: Clock;
      policy?: TokenPolicy;
      log?: { warn(object: object, message: string): void };
      audit?: AuditService;
    },
  ) {}

  get policy(): TokenPolicy {
    return this.deps.policy ?? DEFAULT_TOKEN_POLICY;
  }

  /** The Caller a token names; 401 saying why when it is unknown, revoked, expired or its user disabled. */
  async authenticate(secret: string | undefined): Promise<Caller> {
    // Tokens we issue are 42 or 43 characters; anything far longer is not worth hashing.
    if (!secret || secret.length > 512) throw new DomainError('UNAUTHENTICATED');
    if (tokenShape(secret) === 'corrupt') {
      throw new DomainError('UNAUTHENTICATED', 'This is not a valid datafiles token (its checksum does not match): check that it was copied whole.');
    }
    const credential = await this.deps.metadata.accounts.findCredential(hashToken(secret));
    if (!credential) throw new DomainError('UNAUTHENTICATED');
    const { token, user, groupIds, quotaBytes } = credential;
    const now = this.deps.clock.now();
    if (token.revokedAt !== null) {
      this.auditRefusedUse('token.revoked_use', token, user, now);
      throw new DomainError('TOKEN_REVOKED', `This token (id ${token.id}) was revoked at ${iso(token.revokedAt)}. Ask for a new one.`);
    }
    if (token.expiresAt !== null && now >= token.expiresAt) {
      this.auditRefusedUse('token.expired_use', token, user, now);
      throw new DomainError('TOKEN_EXPIRED', `This token (id ${token.id}) expired at ${iso(token.expiresAt)}. Create a new one.`);
    }
    if (user.disabledAt !== null) {
      throw new DomainError(
        'USER_DISABLED',
        `The user "${user.name}" was disabled at ${iso(user.disabledAt)}; its tokens work again once an admin enables it.`,
      );
    }
    this.touch(token, now);
    // docs/decisions.md 61: a token never exceeds its owner, and an admin's read or write token
    // does not carry the instance admin's rights either.
    return { user: { id: user.id, name: user.name, isAdmin: user.isAdmin && token.scope === 'admin', createdAt: user.createdAt }, groupIds, token, quotaBytes };
  }

  /** Someone still uses a dead token: recorded at most once a minute per token. */
  private auditRefusedUse(kind: 'token.expired_use' | 'token.revoked_use', token: TokenRecord, user: { id: number; name: string }, now: number): void {
    this.deps.audit?.recordAtMostEvery(`${kind}:${token.id}`, TOUCH_INTERVAL_MS, {
      kind,
      actor: { id: user.id, name: user.name },
      subject: `token:${token.id}`,
      details: { userId: user.id, expiresAt: token.expiresAt, revokedAt: token.revokedAt, at: now },
    });
  }

  /** docs/decisions.md 63: at most one write a minute per token, whatever the request rate. */
  private touch(token: TokenRecord, now: number): void {
    if (token.lastUsedAt !== null && now - token.lastUsedAt < TOUCH_INTERVAL_MS) return;
    const last = this.touched.get(token.id);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    if (this.touched.size >= MAX_TOUCH_MEMORY) this.touched.clear();
    this.touched.set(token.id, now);
    this.deps.metadata.accounts.touchToken({ id: token.id, at: now, notBefore: now - TOUCH_INTERVAL_MS + 1 }).catch((error: unknown) => {
      this.deps.log?.warn({ err: error, tokenId: token.id }, 'recording a token use failed');
    });
  }

  /**
   * Issues a token for `user`; the secret is returned this once. Rules (docs/decisions.md 62):
   * the scope is at most the owner's (admin only for admins) and the minting token's; the
   * lifetime defaults to policy.defaultTtlMs (cut to the minting token's own expiry), is at most
   * policy.maxTtlMs unless an admin asks, `never` only by an admin; and never later than the
   * minting token's expiry.
   */
  async issue(input: { user: User; by: Minter; label?: string; scope?: Scope; expires?: string }): Promise<{ record: TokenRecord; secret: string }> {
    const { user, by } = input;
    const minterToken = by.operator ? undefined : by.caller.token;
    const byAdmin = by.operator === true || by.caller.user.isAdmin;
    if (!by.operator && by.caller.user.id !== user.id && !by.caller.user.isAdmin) {
      throw new DomainError('FORBIDDEN', 'Only an admin (with an admin-scope token) may create tokens for another user.');
    }
    const ownerMax: Scope = user.isAdmin ? 'admin' : 'write';
    const scope = input.scope ?? (minterToken && scopeRank(minterToken.scope) < scopeRank(ownerMax) ? minterToken.scope : ownerMax);
    if (scopeRank(scope) > scopeRank(ownerMax)) {
      throw new DomainError('FORBIDDEN', `"${user.name}" is not an instance admin: its tokens can have scope read or write, not admin.`);
    }
    if (minterToken && scopeRank(scope) > scopeRank(minterToken.scope)) {
      throw new DomainError('FORBIDDEN', `A ${minterToken.scope} token cannot create a ${scope} token: use a token with scope ${scope} or wider.`);
    }
    const now = this.deps.clock.now();
    let expiresAt: number | null;
    if (input.expires === undefined) {
      expiresAt = now + this.policy.defaultTtlMs;
      if (minterToken?.expiresAt != null) expiresAt = Math.min(expiresAt, minterToken.expiresAt);
    } else {
      const ttl = parseDuration(input.expires);
      if (ttl === null && !byAdmin) throw new DomainError('FORBIDDEN', 'Only an admin may create a token that never expires (for a service user).');
      if (ttl !== null && ttl > this.policy.maxTtlMs && !byAdmin) {
        throw new DomainError(
          'BAD_REQUEST',
          `A token lives at most ${formatDays(this.policy.maxTtlMs)} on this instance (--token-max-ttl-days); ask for less.`,
        );
      }
      expiresAt = ttl === null ? null : now + ttl;
      if (minterToken?.expiresAt != null && (expiresAt === null || expiresAt > minterToken.expiresAt)) {
        throw new DomainError('FORBIDDEN', `A token cannot outlive the token that creates it (which expires at ${iso(minterToken.expiresAt)}).`);
      }
    }
    const label = (input.label ?? '').trim();
    if (label.length > 200) throw new DomainError('BAD_REQUEST', 'A token label is at most 200 characters.');
    const secret = newTokenSecret();
    const record = await this.deps.metadata.accounts.createToken({ userId: user.id, tokenHash: hashToken(secret), label, scope, createdAt: now, expiresAt });
    await this.deps.audit?.record({
      kind: 'token.created',
      actor: actorOf(by),
      subject: `token:${record.id}`,
      details: { userId: user.id, user: user.name, scope, expiresAt, label },
    });
    return { record, secret };
  }

  async list(userId?: number): Promise<TokenRecord[]> {
    return this.deps.metadata.accounts.listTokens({ userId });
  }

  /** Revokes one token: the caller's own, or any with an admin caller (or the operator). */
  async revoke(id: number, by: Minter): Promise<TokenRecord> {
    const token = await this.deps.metadata.accounts.getToken(id);
    // Someone else's token is not found, as a file one may not read (docs/decisions.md 17).
    if (!token || (!by.operator && !by.caller.user.isAdmin && token.userId !== by.caller.user.id)) {
      throw new DomainError('TOKEN_NOT_FOUND', `No token with id ${id}.`);
    }
    const revoked = await this.deps.metadata.accounts.revokeToken({ id, at: this.deps.clock.now() });
    if (!revoked) throw new DomainError('TOKEN_NOT_FOUND', `No token with id ${id}.`);
    await this.deps.audit?.record({ kind: 'token.revoked', actor: actorOf(by), subject: `token:${id}`, details: { userId: revoked.userId } });
    return revoked;
  }

  async revokeAllOf(user: { id: number; name: string }, by?: Minter): Promise<number> {
    const count = await this.deps.metadata.accounts.revokeTokensOfUser({ userId: user.id, at: this.deps.clock.now() });
    await this.deps.audit?.record({
      kind: 'token.revoked',
      actor: actorOf(by),
      subject: `user:${user.name}`,
      details: { userId: user.id, allTokens: true, revoked: count },
    });
    return count;
  }
}
