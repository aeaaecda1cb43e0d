// SignInService on a real (in-memory SQLite) store with a pinned clock (docs/decisions.md 114):
// a code works once and only before its expiry, is stored only as a hash, opens a session token
// with the session lifetime, and that session expires and is refused like any token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSqliteMetadataStore } from '../../adapters/metadata/openSqliteMetadataStore.js';
import { isDomainError, type ErrorCode } from '../errors.js';
import type { User } from '../model.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import { BROWSER_SESSION_LABEL, SignInService, signInUrl } from './signInService.js';
import { hashToken } from './tokenFormat.js';
import { TokenService } from './tokenService.js';

const MINUTE = 60_000;
let now = 1_800_000_000_000;
const clock = { now: () => now };
let store: MetadataStore;
let tokens: TokenService;
let signIn: SignInService;
let alice: User;
let root: User;

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isDomainError(error), String(error));
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

before(async () => {
  store = await openSqliteMetadataStore({ path: ':memory:' });
  tokens = new TokenService({ metadata: store, clock });
  signIn = new SignInService({
    metadata: store,
    clock,
    tokens,
    policy: { linkTtlMs: 15 * MINUTE, firstLinkTtlMs: 24 * 60 * MINUTE, sessionTtlMs: 60 * MINUTE },
  });
  alice = await store.principals.createUser({ name: 'alice', isAdmin: false, createdAt: now });
  root = await store.principals.createUser({ name: 'root', isAdmin: true, createdAt: now });
});
after(() => store?.close());

describe('sign-in links', () => {
  it('a code opens one browser session, then is refused as used', async () => {
    const { code, expiresAt } = await signIn.issueCode(alice, { operator: true });
    assert.equal(expiresAt, now + 15 * MINUTE);
    const session = await signIn.exchange(code);
    assert.equal(session.user.id, alice.id);
    assert.equal(session.record.label, BROWSER_SESSION_LABEL);
    assert.equal(session.record.scope, 'write');
    assert.equal(session.record.expiresAt, now + 60 * MINUTE);
    assert.equal((await tokens.authenticate(session.secret)).user.id, alice.id);
    await rejectsWith(signIn.exchange(code), 'SIGN_IN_LINK_INVALID', /used already/);
  });

  it('an admin gets an admin-scope session', async () => {
    const { code } = await signIn.issueCode(root, { operator: true });
    const session = await signIn.exchange(code);
    assert.equal(session.record.scope, 'admin');
    assert.equal((await tokens.authenticate(session.secret)).user.isAdmin, true);
  });

  it('a code is refused from its expiry on, and the session from its own', async () => {
    const { code } = await signIn.issueCode(alice, { operator: true }, 5 * MINUTE);
    const second = await signIn.issueCode(alice, { operator: true }, 5 * MINUTE);
    now += 5 * MINUTE;
    await rejectsWith(signIn.exchange(code), 'SIGN_IN_LINK_INVALID', /expired/);
    now -= 1;
    const session = await signIn.exchange(second.code);
    now += 60 * MINUTE;
    await rejectsWith(tokens.authenticate(session.secret), 'TOKEN_EXPIRED');
  });

  it('an unknown or malformed code is refused without saying more', async () => {
    await rejectsWith(signIn.exchange('A'.repeat(32)), 'SIGN_IN_LINK_INVALID', /not valid/);
    await rejectsWith(signIn.exchange('../../etc'), 'SIGN_IN_LINK_INVALID', /not valid/);
  });

  it('two exchanges of one code at once: exactly one session', async () => {
    const { code } = await signIn.issueCode(alice, { operator: true });
    const results = await Promise.allSettled([signIn.exchange(code), signIn.exchange(code), signIn.exchange(code)]);
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
  });

  it('the code is stored only as its hash; a link carries it in ?token=', async () => {
    const { code } = await signIn.issueCode(alice, { operator: true });
    assert.deepEqual(await store.signInCodes.consume({ codeHash: code, at: now }), { refused: 'unknown' });
    assert.deepEqual(await store.signInCodes.consume({ codeHash: hashToken(code), at: now }), { userId: alice.id });
    assert.equal(signInUrl('http://127.0.0.1:8080', code), `http://127.0.0.1:8080/?token=${code}`);
  });

  it('a disabled user gets no link, and a link issued before is refused', async () => {
    const bob = await store.principals.createUser({ name: 'bob', isAdmin: false, createdAt: now });
    const { code } = await signIn.issueCode(bob, { operator: true });
    await store.accounts.setDisabled({ userId: bob.id, disabledAt: now });
    await rejectsWith(signIn.issueCode(bob, { operator: true }), 'CONFLICT', /disabled/);
    await rejectsWith(signIn.exchange(code), 'USER_DISABLED');
  });

  it('lifetimes outside 1 minute to 30 days are refused', async () => {
    await rejectsWith(signIn.issueCode(alice, { operator: true }, 1000), 'BAD_REQUEST');
    await rejectsWith(signIn.issueCode(alice, { operator: true }, 31 * 24 * 60 * MINUTE), 'BAD_REQUEST');
  });
});
