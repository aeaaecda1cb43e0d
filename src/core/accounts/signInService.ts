// Signing in without passwords (issue 15 item 2; docs/decisions.md 114-116): an admin (or the
// operator, or the server on its first start) issues a sign-in link for a user; the link carries a
// one-time code, kept only as its SHA-256 and usable once before its short expiry; the web page
// exchanges it for a browser session, which is an ordinary token record with a shorter lifetime,
// sent in the Authorization header like any token, and revoked on sign-out.
import { randomBytes } from 'node:crypto';
import type { AuditService } from '../audit/auditService.js';
import { DomainError } from '../errors.js';
import type { User } from '../model.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import type { TokenRecord } from './model.js';
import { hashToken } from './tokenFormat.js';
import { actorOf, type Minter, type TokenService } from './tokenService.js';

const MINUTE_MS = 60_000;

export interface SignInPolicy {
  /** Lifetime of a link from `users login-link` or the admin API when none is asked for. */
  linkTtlMs: number;
  /** Lifetime of the link printed on the first start, beside the admin's token. */
  firstLinkTtlMs: number;
  /** Lifetime of the browser session a link is exchanged for. */
  sessionTtlMs: number;
}

export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = { linkTtlMs: 15 * MINUTE_MS, firstLinkTtlMs: 24 * 60 * MINUTE_MS, sessionTtlMs: 12 * 60 * MINUTE_MS };

/** The label of the token records that browser sessions are (listed, revocable, like any token). */
export const BROWSER_SESSION_LABEL = 'browser session';

/** The query parameter of a sign-in link: `http://host:port/?token=CODE` (as Jupyter's). */
export const SIGN_IN_PARAMETER = 'token';

/** A code is 32 base64url characters (192 random bits): not a token shape, so never mistaken for one. */
export function newSignInCode(): string {
  return randomBytes(24).toString('base64url');
}

/** The link a browser opens: the code in the query, which the page removes from the URL at once. */
export function signInUrl(baseUrl: string, code: string): string {
  const url = new URL(baseUrl);
  url.pathname = '/';
  url.search = `?${SIGN_IN_PARAMETER}=${code}`;
  url.hash = '';
  return url.toString();
}

const REFUSALS = {
  unknown: 'This sign-in link is not valid (it may have been copied incompletely, or its user deleted). Ask an administrator for a new one.',
  used: 'This sign-in link was used already: each link works once. Ask an administrator for a new one.',
  expired: 'This sign-in link has expired. Ask an administrator for a new one.',
};

export class SignInService {
  constructor(private readonly deps: { metadata: MetadataStore; clock: Clock; tokens: TokenService; policy?: SignInPolicy; audit?: AuditService }) {}

  get policy(): SignInPolicy {
    return this.deps.policy ?? DEFAULT_SIGN_IN_POLICY;
  }

  /** A one-time code for `user`, living `ttlMs` (default policy.linkTtlMs); returned this once. */
  async issueCode(user: User, by: Minter, ttlMs = this.policy.linkTtlMs): Promise<{ code: string; expiresAt: number }> {
    if (!Number.isSafeInteger(ttlMs) || ttlMs < MINUTE_MS || ttlMs > 30 * 24 * 60 * MINUTE_MS) {
      throw new DomainError('BAD_REQUEST', 'A sign-in link lives from 1 minute to 30 days.');
    }
    const account = await this.deps.metadata.accounts.getAccount(user.id);
    if (!account) throw new DomainError('USER_NOT_FOUND', `No user ${user.name}.`);
    if (account.disabledAt !== null) throw new DomainError('CONFLICT', `"${account.name}" is disabled: enable it before sending it a sign-in link.`);
    const code = newSignInCode();
    const now = this.deps.clock.now();
    const expiresAt = now + ttlMs;
    const { id } = await this.deps.metadata.signInCodes.create({ userId: user.id, codeHash: hashToken(code), createdAt: now, expiresAt });
    await this.deps.audit?.record({
      kind: 'token.created',
      actor: actorOf(by),
      subject: `sign-in-link:${id}`,
      details: { userId: user.id, user: user.name, signInLink: true, expiresAt },
    });
    return { code, expiresAt };
  }

  /**
   * Uses the code (once) and opens a browser session for its user: a token record labelled
   * BROWSER_SESSION_LABEL, living policy.sessionTtlMs, with the widest scope the user may have.
   */
  async exchange(code: string): Promise<{ user: User; record: TokenRecord; secret: string }> {
    if (typeof code !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(code)) throw new DomainError('SIGN_IN_LINK_INVALID', REFUSALS.unknown);
    const used = await this.deps.metadata.signInCodes.consume({ codeHash: hashToken(code), at: this.deps.clock.now() });
    if ('refused' in used) throw new DomainError('SIGN_IN_LINK_INVALID', REFUSALS[used.refused]);
    const account = await this.deps.metadata.accounts.getAccount(used.userId);
    if (!account) throw new DomainError('SIGN_IN_LINK_INVALID', REFUSALS.unknown);
    if (account.disabledAt !== null) throw new DomainError('USER_DISABLED', `The user "${account.name}" is disabled; ask an administrator.`);
    const minutes = Math.max(1, Math.round(this.policy.sessionTtlMs / MINUTE_MS));
    const issued = await this.deps.tokens.issue({ user: account, by: { operator: true }, label: BROWSER_SESSION_LABEL, expires: `${minutes}m` });
    return { user: account, ...issued };
  }
}
