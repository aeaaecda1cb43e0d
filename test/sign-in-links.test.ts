// Issue 15 item 2 over HTTP and the CLI (docs/decisions.md 114-116): the first start prints a
// sign-in link carrying a one-time code (never the admin's token); `datafiles users login-link` and
// the admin API issue single-use links; a code opens a browser session once; sign-out revokes it;
// a cookie alone still never authorises a write (docs/decisions.md 40). Expiry by the Clock is in
// src/core/accounts/signInService.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API, assertError, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

let server: TestServer;
let alice: TestUser;
let firstLink: URL;
let adminToken: string;

const V1 = '/datafiles/v1';

function exchange(code: string): Promise<Response> {
  return fetch(`${server.url}${V1}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
}

function bearer(token: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
}

async function signedIn(code: string): Promise<{ token: string; user: { name: string }; tokenRecord: { id: number; label: string; expiresAt: number } }> {
  const response = await exchange(code);
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

before(async () => {
  // No preset admin token: the server creates the admin and prints its token and a sign-in link.
  server = await startTestServer({ env: { DATAFILES_ADMIN_TOKEN: '' } });
  const output = server.output();
  adminToken = /Its token, shown only this once:\n(\S+)/.exec(output)?.[1] ?? assert.fail(output);
  firstLink = new URL(/sign in to the web interface as "admin".*:\n(\S+)/.exec(output)?.[1] ?? assert.fail(output));
  alice = await server.addUser('alice');
});
after(() => server?.cleanup());

describe('the first start', () => {
  it('prints a link to this server carrying a one-time code, not the admin token', async () => {
    assert.equal(firstLink.origin, server.url);
    assert.equal(firstLink.pathname, '/');
    const code = firstLink.searchParams.get('token') ?? '';
    assert.match(code, /^[A-Za-z0-9_-]{32}$/);
    assert.ok(!server.output().includes(`token=${adminToken}`));
    const session = await signedIn(code);
    assert.equal(session.user.name, 'admin');
    assert.equal(session.tokenRecord.label, 'browser session');
    const me = await (await bearer(session.token, `${V1}/me`)).json();
    assert.equal(me.user.name, 'admin');
    assert.equal(me.token.scope, 'admin');
    await assertError(await exchange(code), 401, /used already/);
  });
});

describe('login links', () => {
  it('`datafiles users login-link NAME` prints a single-use link for the given address and lifetime', async () => {
    const before = Date.now();
    const result = await server.cli(['users', 'login-link', 'alice', '--expires', '30m', '--url', 'https://files.example.com']);
    assert.equal(result.user, 'alice');
    const link = new URL(result.url);
    assert.equal(link.origin, 'https://files.example.com');
    const expiresAt = Date.parse(result.expiresAt);
    assert.ok(expiresAt >= before + 30 * 60_000 - 1000 && expiresAt <= Date.now() + 30 * 60_000 + 1000, result.expiresAt);
    const session = await signedIn(link.searchParams.get('token')!);
    assert.equal(session.user.name, 'alice');
    await assertError(await exchange(link.searchParams.get('token')!), 401, /used already/);
  });

  it('the default lifetime is --sign-in-link-ttl-minutes (15)', async () => {
    const result = await server.cli(['users', 'login-link', 'alice']);
    const lifetime = Date.parse(result.expiresAt) - Date.now();
    assert.ok(lifetime > 14 * 60_000 && lifetime <= 15 * 60_000, String(lifetime));
    assert.match(result.url, /^http:\/\/127\.0\.0\.1:8080\/\?token=/);
  });

  it('the admin API issues links naming the address asked by; a non-admin may not', async () => {
    const response = await bearer(adminToken, `${V1}/admin/users/alice/login-link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expires: '5m' }),
    });
    assert.equal(response.status, 201);
    const body = await response.json();
    assert.equal(new URL(body.url).origin, server.url);
    assert.ok(body.expiresAt - Date.now() <= 5 * 60_000);
    assert.equal((await signedIn(new URL(body.url).searchParams.get('token')!)).user.name, 'alice');
    await assertError(await bearer(alice.token, `${V1}/admin/users/alice/login-link`, { method: 'POST' }), 403);
    const never = await bearer(adminToken, `${V1}/admin/users/alice/login-link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expires: 'never' }),
    });
    await assertError(never, 400, /always expires/);
  });

  it('an unknown code is refused with a clear message', async () => {
    await assertError(await exchange('x'.repeat(32)), 401, /not valid/);
  });
});

describe('browser sessions', () => {
  it('a cookie alone never authorises a write, while the header does', async () => {
    const code = new URL((await server.cli(['users', 'login-link', 'alice'])).url).searchParams.get('token')!;
    const session = await signedIn(code);
    const cookieOnly = await fetch(`${server.url}${API}?name=a.txt`, { method: 'POST', headers: { cookie: `ryuu_sid=${session.token}` }, body: fileForm('a') });
    await assertError(cookieOnly, 401);
    const withHeader = await bearer(session.token, `${API}?name=a.txt`, { method: 'POST', body: fileForm('a') });
    assert.equal(withHeader.status, 200, await withHeader.clone().text());
  });

  it('sign-out revokes the session on the server', async () => {
    const session = await signedIn(new URL((await server.cli(['users', 'login-link', 'alice'])).url).searchParams.get('token')!);
    assert.equal((await bearer(session.token, `${V1}/me`)).status, 200);
    const out = await bearer(session.token, `${V1}/me/session`, { method: 'DELETE' });
    assert.equal(out.status, 200);
    assert.equal((await out.json()).state, 'revoked');
    await assertError(await bearer(session.token, `${V1}/me`), 401, /revoked/);
    // The user's other tokens are untouched.
    assert.equal((await bearer(alice.token, `${V1}/me`)).status, 200);
  });

  it('names users by id for the files view', async () => {
    const response = await bearer(alice.token, `${V1}/users/names?ids=${alice.id},999999`);
    assert.deepEqual(await response.json(), [{ id: alice.id, name: 'alice' }]);
    await assertError(await bearer(alice.token, `${V1}/users/names?ids=x`), 400);
  });
});
