// @datafiles/sdk's account client (clients/sdk/src/account.ts) against the real server: who I am,
// signing in with a sign-in link's code (once) and out, and users' names by id; failures are
// DatafilesErrors with the server's status and message.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountClient, DatafilesError } from '@datafiles/sdk';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

let server: TestServer;
let alice: TestUser;

const linkCode = async () => new URL((await server.cli(['users', 'login-link', 'alice'])).url).searchParams.get('token')!;

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
});
after(() => server?.cleanup());

describe('createAccountClient', () => {
  it('me answers the user, its usage and the token it came with', async () => {
    const me = await createAccountClient({ baseUrl: server.url, token: alice.token }).me();
    assert.equal(me.user.name, 'alice');
    assert.equal(me.user.isAdmin, false);
    assert.equal(me.usage.files, 0);
    assert.equal(me.token?.state, 'active');
  });

  it('signIn exchanges a code once for a session; signOut revokes it', async () => {
    const code = await linkCode();
    const signedIn = await createAccountClient({ baseUrl: server.url }).signIn(code);
    assert.equal(signedIn.user.name, 'alice');
    assert.equal(signedIn.tokenRecord.label, 'browser session');
    await assert.rejects(createAccountClient({ baseUrl: server.url }).signIn(code), (error: unknown) => {
      assert.ok(error instanceof DatafilesError);
      assert.equal(error.status, 401);
      assert.match(error.message, /used already/);
      return true;
    });
    const session = createAccountClient({ baseUrl: server.url, token: signedIn.token });
    assert.equal((await session.me()).token?.label, 'browser session');
    assert.equal((await session.signOut()).state, 'revoked');
    await assert.rejects(session.me(), (error: unknown) => error instanceof DatafilesError && error.status === 401);
  });

  it('userNames names users by id, leaving unknown ids out', async () => {
    const client = createAccountClient({ baseUrl: server.url, token: alice.token });
    assert.deepEqual(await client.userNames([alice.id, 987_654]), [{ id: alice.id, name: 'alice' }]);
    assert.deepEqual(await client.userNames([]), []);
  });
});
