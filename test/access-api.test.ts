// The admin and self-service API under /datafiles/v1 (issue 12), through the real server: users
// (create with a first token shown once, list and search, get, disable/enable, delete with a
// transfer), groups (create, list, rename, delete, members), tokens (list without secrets, revoke,
// revoke all of a user), me, my tokens, principal lookup, and the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API, api, fileForm, startTestServer, type TestServer } from './support/server.js';

const ACCESS = '/datafiles/v1';
let server: TestServer;

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

async function call(token: string | undefined, path: string, init?: RequestInit, status = 200): Promise<any> {
  const response = await api(server, token, path, init);
  const text = await response.text();
  assert.equal(response.status, status, `${init?.method ?? 'GET'} ${path}: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

const admin = (path: string, init?: RequestInit, status?: number) => call(server.adminToken, `${ACCESS}/admin${path}`, init, status);

async function createUser(name: string, body: object = {}): Promise<{ id: number; token: string; tokenId: number }> {
  const created = await admin('/users', json('POST', { name, ...body }), 201);
  assert.equal(created.user.name, name);
  assert.match(created.token, /^dfp_[0-9A-Za-z]{38}$/);
  return { id: created.user.id, token: created.token, tokenId: created.tokenRecord.id };
}

before(async () => {
  server = await startTestServer();
});
after(() => server?.cleanup());

describe('admin API: users', () => {
  it('create returns the first token once; lists and gets never show a secret', async () => {
    const carol = await createUser('carol');
    const listed = await admin('/users?q=CAR');
    assert.deepEqual(
      listed.map((user: { name: string }) => user.name),
      ['carol'],
    );
    const details = await admin('/users/carol');
    assert.equal(details.id, carol.id);
    assert.deepEqual(details.usage, { files: 0, revisions: 0, bytes: 0, stagedBytes: 0 });
    assert.equal(details.tokens.length, 1);
    const everything = JSON.stringify([listed, details, await admin('/tokens'), await admin(`/users/${carol.id}/tokens`)]);
    assert.ok(!everything.includes(carol.token), 'no secret in any listing');
    assert.ok(!everything.includes('"token":'), 'no token field in any listing');
    await admin('/users', json('POST', { name: 'carol' }), 409);
  });

  it("disabling stops the user's tokens on the next request (401 saying so); enabling restores them", async () => {
    const dave = await createUser('dave');
    await call(dave.token, `${ACCESS}/me`);
    assert.notEqual((await admin('/users/dave/disable', json('POST'))).disabledAt, null);
    const refused = await call(dave.token, `${API}/details`, undefined, 401);
    assert.match(refused.message, /"dave" was disabled/);
    assert.equal((await admin('/users/dave/enable', json('POST'))).disabledAt, null);
    await call(dave.token, `${API}/details`);
  });

  it('delete refuses while the user owns files, then transfers them to the named user', async () => {
    const erin = await createUser('erin');
    const frank = await createUser('frank');
    const { dataFileId } = await call(erin.token, `${API}?name=erin.txt`, { method: 'POST', body: fileForm('erin\n') });
    const refused = await admin('/users/erin', { method: 'DELETE' }, 409);
    assert.match(refused.message, /transfer/);
    await call(erin.token, `${ACCESS}/me`);
    const deleted = await admin('/users/erin?transferTo=frank', { method: 'DELETE' });
    assert.deepEqual({ name: deleted.deleted.name, to: deleted.transferTo.name, files: deleted.filesTransferred }, { name: 'erin', to: 'frank', files: 1 });
    assert.equal((await call(frank.token, `${API}/${dataFileId}/details`)).responsibleUserId, frank.id);
    const permissions = await call(frank.token, `${API}/${dataFileId}/permissions`);
    assert.ok(
      permissions.entries.some(
        (entry: { entityId: string; grant: string }) => entry.entityId === String(frank.id) && entry.grant === 'READ_WRITE_DELETE_SHARE_ADMIN',
      ),
    );
    await call(erin.token, `${ACCESS}/me`, undefined, 401);
    await admin('/users/erin', undefined, 404);
    await admin('/users/frank?transferTo=frank', { method: 'DELETE' }, 400);
  });

  it('an admin cannot disable or delete itself', async () => {
    await admin('/users/admin/disable', json('POST'), 409);
    await admin('/users/admin?transferTo=carol', { method: 'DELETE' }, 409);
  });
});

describe('admin API: tokens', () => {
  it('revoke one token: 401 saying revoked on the next request; revoke all of a user', async () => {
    const gina = await createUser('gina');
    const second = await admin('/users/gina/tokens', json('POST', { label: 'ci', scope: 'read', expires: '7d' }), 201);
    assert.equal(second.scope, 'read');
    await call(second.token, `${API}/details`);
    const revoked = await admin(`/tokens/${second.id}`, { method: 'DELETE' });
    assert.equal(revoked.state, 'revoked');
    assert.match((await call(second.token, `${API}/details`, undefined, 401)).message, /revoked/);
    await call(gina.token, `${API}/details`);
    assert.deepEqual(await admin('/users/gina/tokens/revoke-all', json('POST')), {
      user: { id: gina.id, name: 'gina', isAdmin: false, createdAt: (await admin('/users/gina')).createdAt, disabledAt: null },
      revoked: 1,
    });
    await call(gina.token, `${API}/details`, undefined, 401);
    const states = (await admin('/users/gina/tokens')).map((token: { state: string }) => token.state);
    assert.deepEqual(states, ['revoked', 'revoked']);
    await admin('/tokens/987654', { method: 'DELETE' }, 404);
  });
});

describe('admin API: groups', () => {
  it('create, list with counts, add and remove members, rename, delete (with the entries naming it)', async () => {
    const hal = await createUser('hal');
    const group = await admin('/groups', json('POST', { name: 'ops' }), 201);
    await admin('/groups/ops/members/hal', { method: 'PUT' });
    assert.deepEqual(await admin('/groups?q=op'), [{ id: group.id, name: 'ops', memberCount: 1 }]);
    assert.deepEqual(
      (await admin('/groups/ops')).members.map((user: { name: string }) => user.name),
      ['hal'],
    );
    assert.deepEqual((await call(hal.token, `${ACCESS}/me`)).groups, [{ id: group.id, name: 'ops' }]);
    await admin('/groups/ops/members/hal', { method: 'DELETE' });
    assert.deepEqual((await admin('/groups/ops')).members, []);
    assert.deepEqual(await admin('/groups/ops', json('PATCH', { name: 'operations' })), { id: group.id, name: 'operations' });
    await admin('/groups/ops', undefined, 404);
    const { dataFileId } = await call(hal.token, `${API}?name=hal.txt`, { method: 'POST', body: fileForm('hal\n') });
    await call(
      hal.token,
      `${API}/${dataFileId}/permissions`,
      json('PUT', { publicAccess: false, entries: [{ entityType: 'GROUP', entityId: String(group.id), grant: 'READ', pass: 'NONE' }] }),
    );
    await admin('/groups/operations', { method: 'DELETE' });
    const after = await call(hal.token, `${API}/${dataFileId}/permissions`);
    assert.ok(after.entries.every((entry: { entityType: string }) => entry.entityType !== 'GROUP'));
    await admin('/groups/operations', undefined, 404);
  });
});

describe('self-service and lookup', () => {
  it('me shows my user, groups, usage and token; my tokens: create (secret once), list, revoke', async () => {
    const ivy = await createUser('ivy');
    await call(ivy.token, `${API}?name=ivy.txt`, { method: 'POST', body: fileForm('12345') });
    const me = await call(ivy.token, `${ACCESS}/me`);
    assert.equal(me.user.name, 'ivy');
    assert.deepEqual(me.usage, { files: 1, revisions: 1, bytes: 5, stagedBytes: 0, quotaBytes: null });
    assert.equal(me.token.id, ivy.tokenId);
    const created = await call(ivy.token, `${ACCESS}/me/tokens`, json('POST', { label: 'script', scope: 'read', expires: '1d' }), 201);
    assert.match(created.token, /^dfp_/);
    const mine = await call(ivy.token, `${ACCESS}/me/tokens`);
    assert.deepEqual(
      mine.map((token: { label: string }) => token.label),
      ['first token', 'script'],
    );
    assert.ok(!JSON.stringify(mine).includes(created.token));
    await call(created.token, `${ACCESS}/me/tokens`, json('POST', { scope: 'write' }), 403);
    await call(created.token, `${ACCESS}/me/tokens/${created.id}`, { method: 'DELETE' });
    await call(created.token, `${ACCESS}/me`, undefined, 401);
    // Someone else's token is not found through /me.
    await call(ivy.token, `${ACCESS}/me/tokens/1`, { method: 'DELETE' }, 404);
  });

  it('lookup by name prefix finds users and groups for sharing, names and ids only, not disabled users', async () => {
    const jan = await createUser('jan-lookup');
    await createUser('jan-disabled');
    await admin('/users/jan-disabled/disable', json('POST'));
    const group = await admin('/groups', json('POST', { name: 'jan-team' }), 201);
    const found = await call(jan.token, `${ACCESS}/principals?prefix=JAN`);
    assert.deepEqual(found, [
      { type: 'USER', id: jan.id, name: 'jan-lookup' },
      { type: 'GROUP', id: group.id, name: 'jan-team' },
    ]);
    await call(undefined, `${ACCESS}/principals?prefix=jan`, undefined, 401);
  });

  it('the OpenAPI document lists the datafiles API', async () => {
    const document = await call(undefined, '/openapi.json');
    for (const path of [
      '/datafiles/v1/me',
      '/datafiles/v1/me/tokens',
      '/datafiles/v1/principals',
      '/datafiles/v1/admin/users',
      '/datafiles/v1/admin/users/{user}',
      '/datafiles/v1/admin/groups/{group}/members/{user}',
      '/datafiles/v1/admin/tokens/{tokenId}',
    ]) {
      assert.ok(document.paths[path], `${path} is in the OpenAPI document`);
    }
  });
});
