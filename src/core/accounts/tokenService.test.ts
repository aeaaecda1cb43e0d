// TokenService on a real (in-memory SQLite) store with a pinned clock: expiry, revocation and
// disabling at authentication, the minting rules (docs/decisions.md 62) and the once-a-minute
// last-use write (docs/decisions.md 63).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSqliteMetadataStore } from '../../adapters/metadata/openSqliteMetadataStore.js';
import { isDomainError, type ErrorCode } from '../errors.js';
import type { Caller, User } from '../model.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import { TokenService, TOUCH_INTERVAL_MS } from './tokenService.js';

const DAY = 86_400_000;
let now = 1_800_000_000_000;
const clock = { now: () => now };
let store: MetadataStore;
let tokens: TokenService;
let admin: User;
let alice: User;

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isDomainError(error), String(error));
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in 5 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

before(async () => {
  store = await openSqliteMetadataStore({ path: ':memory:' });
  tokens = new TokenService({ metadata: store, clock, policy: { defaultTtlMs: 90 * DAY, maxTtlMs: 365 * DAY } });
  admin = await store.principals.createUser({ name: 'root', isAdmin: true, createdAt: now });
  alice = await store.principals.createUser({ name: 'alice', isAdmin: false, createdAt: now });
});
after(() => store.close());

describe('authentication of token records', () => {
  it('a new token lasts 90 days by default: valid until then, then 401 saying it expired', async () => {
    const { secret, record } = await tokens.issue({ user: alice, by: { operator: true } });
    assert.match(secret, /^dfp_/);
    assert.equal(record.expiresAt, now + 90 * DAY);
    assert.equal(record.scope, 'write', "a non-admin's default is its widest scope");
    const start = now;
    now = start + 90 * DAY - 1;
    assert.equal((await tokens.authenticate(secret)).user.id, alice.id);
    now = start + 90 * DAY;
    await rejectsWith(tokens.authenticate(secret), 'TOKEN_EXPIRED', /expired at/);
    now = start;
  });

  it('a revoked token is 401 saying it was revoked', async () => {
    const { secret, record } = await tokens.issue({ user: alice, by: { operator: true } });
    await tokens.revoke(record.id, { operator: true });
    await rejectsWith(tokens.authenticate(secret), 'TOKEN_REVOKED', /revoked/);
  });

  it("a disabled user's tokens are 401 saying so, and work again once enabled", async () => {
    const bob = await store.principals.createUser({ name: 'bob', isAdmin: false, createdAt: now });
    const { secret } = await tokens.issue({ user: bob, by: { operator: true } });
    await store.accounts.setDisabled({ userId: bob.id, disabledAt: now });
    await rejectsWith(tokens.authenticate(secret), 'USER_DISABLED', /"bob" was disabled/);
    await store.accounts.setDisabled({ userId: bob.id, disabledAt: null });
    assert.equal((await tokens.authenticate(secret)).user.id, bob.id);
  });

  it('a dfp_ token whose checksum fails is refused without a lookup; unknown ones are plain 401', async () => {
    const { secret } = await tokens.issue({ user: alice, by: { operator: true } });
    const typo = secret.slice(0, 8) + (secret[8] === 'x' ? 'y' : 'x') + secret.slice(9);
    await rejectsWith(tokens.authenticate(typo), 'UNAUTHENTICATED', /checksum/);
    await rejectsWith(tokens.authenticate('no-such-token-at-all-0123456789'), 'UNAUTHENTICATED');
  });

  it("an admin's read or write token does not carry the instance admin's rights", async () => {
    const write = await tokens.issue({ user: admin, by: { operator: true }, scope: 'write' });
    const full = await tokens.issue({ user: admin, by: { operator: true } });
    assert.equal(full.record.scope, 'admin');
    assert.equal((await tokens.authenticate(write.secret)).user.isAdmin, false);
    assert.equal((await tokens.authenticate(full.secret)).user.isAdmin, true);
  });

  it('last use is written at most once a minute per token', async () => {
    const { secret, record } = await tokens.issue({ user: alice, by: { operator: true } });
    const start = now;
    await tokens.authenticate(secret);
    await waitFor(async () => (await store.accounts.getToken(record.id))?.lastUsedAt === start);
    now = start + TOUCH_INTERVAL_MS - 1;
    await tokens.authenticate(secret);
    now = start + TOUCH_INTERVAL_MS;
    await tokens.authenticate(secret);
    await waitFor(async () => (await store.accounts.getToken(record.id))?.lastUsedAt === start + TOUCH_INTERVAL_MS);
    now = start;
  });
});

describe('minting rules (docs/decisions.md 62)', () => {
  const callerOf = async (secret: string): Promise<Caller> => tokens.authenticate(secret);

  it('a token cannot mint a wider scope than its own, nor admin for a non-admin', async () => {
    const read = await tokens.issue({ user: alice, by: { operator: true }, scope: 'read' });
    const by = { caller: await callerOf(read.secret) };
    await rejectsWith(tokens.issue({ user: alice, by, scope: 'write' }), 'FORBIDDEN', /read token cannot create a write token/);
    assert.equal((await tokens.issue({ user: alice, by })).record.scope, 'read', 'defaults to the minting token’s scope');
    await rejectsWith(tokens.issue({ user: alice, by: { operator: true }, scope: 'admin' }), 'FORBIDDEN', /not an instance admin/);
  });

  it('a token cannot mint a later expiry than its own; the default is cut to it', async () => {
    const short = await tokens.issue({ user: alice, by: { operator: true }, expires: '2d' });
    const by = { caller: await callerOf(short.secret) };
    await rejectsWith(tokens.issue({ user: alice, by, expires: '3d' }), 'FORBIDDEN', /cannot outlive/);
    assert.equal((await tokens.issue({ user: alice, by })).record.expiresAt, short.record.expiresAt);
    assert.equal((await tokens.issue({ user: alice, by, expires: '1d' })).record.expiresAt, now + DAY);
  });

  it('never-expiring tokens and lifetimes past the maximum are for admins only', async () => {
    const own = await tokens.issue({ user: alice, by: { operator: true }, expires: 'never' });
    assert.equal(own.record.expiresAt, null, 'the operator may');
    const by = { caller: await callerOf(own.secret) };
    await rejectsWith(tokens.issue({ user: alice, by, expires: 'never' }), 'FORBIDDEN', /Only an admin/);
    await rejectsWith(tokens.issue({ user: alice, by, expires: '366d' }), 'BAD_REQUEST', /at most 365 days/);
    assert.equal((await tokens.issue({ user: alice, by, expires: '365d' })).record.expiresAt, now + 365 * DAY);
    const root = await tokens.issue({ user: admin, by: { operator: true }, expires: 'never' });
    const byAdmin = { caller: await callerOf(root.secret) };
    assert.equal((await tokens.issue({ user: alice, by: byAdmin, expires: 'never' })).record.expiresAt, null, 'an admin may, for a service user');
    await rejectsWith(tokens.issue({ user: alice, by, expires: 'soon' }), 'BAD_REQUEST', /not a duration/);
  });

  it('a non-admin cannot mint for someone else', async () => {
    const own = await tokens.issue({ user: alice, by: { operator: true } });
    await rejectsWith(tokens.issue({ user: admin, by: { caller: await callerOf(own.secret) } }), 'FORBIDDEN');
  });
});
