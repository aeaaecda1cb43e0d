// Issue 12: "existing tokens keep working (a migration, tested from a data directory made by
// today's release)". The server starts on a copy of test/fixtures/data-dir-c4048e5 (made by
// bin/datafiles.js at c4048e5; see its tokens.json): every old token still works, as an
// admin-scoped record without expiry, and shows up in the token lists; new tokens are dfp_.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API, api, REPO_ROOT, startTestServer, type TestServer } from './support/server.js';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/data-dir-c4048e5');
let server: TestServer;
let dataDir: string;
let fixture: { alice: { id: number; token: string }; bob: { id: number; tokens: string[] } };

before(async () => {
  fixture = JSON.parse(await readFile(path.join(FIXTURE, 'tokens.json'), 'utf8'));
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'datafiles-upgrade-'));
  await cp(FIXTURE, dataDir, { recursive: true });
  // The fixture is SQLite and disk: this suite is embedded whatever DATAFILES_TEST_BACKEND says.
  server = await startTestServer({ dataDir, backend: { args: [], env: {}, release: async () => {} } });
});
after(async () => {
  await server?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe('tokens issued before token records, after the upgrade', () => {
  it('every old token still works: bob downloads his file, alice (an admin) reads it too', async () => {
    for (const token of fixture.bob.tokens) {
      const download = await api(server, token, `${API}/1`);
      assert.equal(download.status, 200);
      assert.equal(JSON.parse(await download.text()).name, 'datafiles');
    }
    assert.equal((await api(server, fixture.alice.token, `${API}/1/details`)).status, 200, 'alice is an instance admin');
  });

  it('they are admin-scoped records without expiry, labelled as made before records, listed without secrets', async () => {
    const me = await (await api(server, fixture.bob.tokens[0], '/datafiles/v1/me')).json();
    assert.equal(me.user.name, 'bob');
    assert.deepEqual(
      { scope: me.token.scope, expiresAt: me.token.expiresAt, label: me.token.label, state: me.token.state },
      { scope: 'admin', expiresAt: null, label: 'created before token records', state: 'active' },
    );
    const listed = await (await api(server, fixture.alice.token, '/datafiles/v1/admin/tokens')).json();
    assert.equal(listed.length, 3);
    assert.ok(!JSON.stringify(listed).includes(fixture.bob.tokens[0]));
  });

  it('an old token can be revoked like any other, and new ones are dfp_ tokens', async () => {
    const created = await api(server, fixture.bob.tokens[1], '/datafiles/v1/me/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expires: '1d' }),
    });
    assert.equal(created.status, 201);
    const fresh = await created.json();
    assert.match(fresh.token, /^dfp_/);
    assert.equal(fresh.scope, 'write', "never above its owner's widest scope (bob is not an admin)");
    const me = await (await api(server, fixture.bob.tokens[1], '/datafiles/v1/me')).json();
    const revoked = await api(server, fresh.token, `/datafiles/v1/me/tokens/${me.token.id}`, { method: 'DELETE' });
    assert.equal(revoked.status, 200);
    const refused = await api(server, fixture.bob.tokens[1], `${API}/details`);
    assert.equal(refused.status, 401);
    assert.match((await refused.json()).message, /revoked/);
  });
});
