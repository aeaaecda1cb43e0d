// @datafiles/sdk's admin client (createAdminClient, clients/sdk/src/admin.ts) against the real
// server, as the web interface's administration pages use it: every call, the shapes it answers,
// and the server's refusals arriving as DatafilesErrors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AUDIT_KINDS, createAccountClient, createAdminClient, createClient, DatafilesError, type AdminClient, type UserQuota } from '@datafiles/sdk';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let admin: AdminClient;

before(async () => {
  server = await startTestServer();
  admin = createAdminClient({ baseUrl: server.url, token: server.adminToken });
});
after(() => server?.cleanup());

async function rejectsWith(promise: Promise<unknown>, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DatafilesError, `a DatafilesError, not ${String(error)}`);
    assert.equal(error.status, status, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('admin client: users', () => {
  it('creates a user with its first token once, lists, searches, gets, disables and enables it', async () => {
    const created = await admin.createUser({ name: 'erin', token: { label: 'first', scope: 'write', expires: '30d' } });
    assert.equal(created.user.name, 'erin');
    assert.equal(created.user.isAdmin, false);
    assert.equal(created.user.disabledAt, null);
    assert.match(created.token, /^dfp_/);
    assert.equal(created.tokenRecord.scope, 'write');
    assert.equal(created.tokenRecord.label, 'first');
    assert.equal(created.tokenRecord.state, 'active');

    assert.deepEqual(
      (await admin.listUsers({ q: 'ER' })).map((user) => user.name),
      ['erin'],
    );
    assert.ok((await admin.listUsers()).some((user) => user.name === 'admin'));
    assert.equal((await admin.listUsers({ limit: 1 })).length, 1);

    const details = await admin.getUser('erin');
    assert.equal(details.id, created.user.id);
    assert.deepEqual(details.usage, { files: 0, revisions: 0, bytes: 0, stagedBytes: 0 });
    assert.deepEqual(details.groups, []);
    assert.deepEqual(
      details.tokens.map((token) => token.id),
      [created.tokenRecord.id],
    );
    assert.ok(!JSON.stringify(details).includes(created.token), 'no secret in the details');

    assert.notEqual((await admin.disableUser(created.user.id)).disabledAt, null);
    await rejectsWith(createClient({ baseUrl: server.url, token: created.token }).getFileDetailsList(), 401);
    assert.equal((await admin.enableUser('erin')).disabledAt, null);
    assert.deepEqual(await createClient({ baseUrl: server.url, token: created.token }).getFileDetailsList(), []);
    await rejectsWith(admin.createUser({ name: 'erin' }), 409);

    const link = await admin.createLoginLink('erin', { expires: '10m' });
    assert.equal(link.user.name, 'erin');
    assert.ok(link.url.startsWith(`${server.url}/?token=`), link.url);
    assert.ok(link.expiresAt > Date.now() && link.expiresAt <= Date.now() + 600_000);
    const code = new URL(link.url).searchParams.get('token')!;
    assert.equal((await createAccountClient({ baseUrl: server.url }).signIn(code)).user.name, 'erin', 'the link signs erin in');
    await rejectsWith(admin.createLoginLink('erin', { expires: 'never' }), 400);
  });

  it('deletes a user, transferring its files; refuses without a transfer while it owns any', async () => {
    const frank = await admin.createUser({ name: 'frank' });
    await admin.createUser({ name: 'gina' });
    const { dataFileId } = await createClient({ baseUrl: server.url, token: frank.token }).uploadFile(new Blob(['hello']), { name: 'hello.txt' });
    await rejectsWith(admin.deleteUser('frank'), 409);
    const deleted = await admin.deleteUser('frank', { transferTo: 'gina' });
    assert.equal(deleted.deleted.name, 'frank');
    assert.equal(deleted.transferTo?.name, 'gina');
    assert.equal(deleted.filesTransferred, 1);
    assert.equal((await admin.getUser('gina')).usage.files, 1);
    await rejectsWith(admin.getUser('frank'), 404);
    const files = createClient({ baseUrl: server.url, token: server.adminToken });
    assert.equal((await files.getFileDetails(dataFileId)).name, 'hello.txt');
  });

  it('checks its arguments before sending anything', () => {
    assert.throws(() => admin.getUser(''), TypeError);
    assert.throws(() => admin.getUser(0), TypeError);
    assert.throws(() => admin.revokeToken(1.5), TypeError);
    assert.throws(() => admin.setQuota('x', -1), TypeError);
  });
});

describe('admin client: tokens', () => {
  it('lists every token or one user’s, creates one (secret once) and revokes one or all', async () => {
    await admin.createUser({ name: 'hana' });
    const extra = await admin.createToken('hana', { label: 'ci', scope: 'read', expires: '1d' });
    assert.match(extra.token, /^dfp_/);
    assert.equal(extra.label, 'ci');
    const hanas = await admin.listTokens({ user: 'hana' });
    assert.equal(hanas.length, 2);
    assert.ok((await admin.listTokens()).some((token) => token.id === extra.id));
    assert.ok(!JSON.stringify(await admin.listTokens()).includes(extra.token), 'no secret in a listing');

    const revoked = await admin.revokeToken(extra.id);
    assert.equal(revoked.state, 'revoked');
    assert.notEqual(revoked.revokedAt, null);
    const all = await admin.revokeAllTokens('hana');
    assert.equal(all.user.name, 'hana');
    assert.equal(all.revoked, 1);
    assert.ok((await admin.listTokens({ user: 'hana' })).every((token) => token.state === 'revoked'));
    await rejectsWith(admin.revokeToken(999_999), 404);
  });
});

describe('admin client: groups', () => {
  it('creates, lists, renames, adds and removes members, and deletes a group', async () => {
    await admin.createUser({ name: 'ivan' });
    const group = await admin.createGroup('ops');
    assert.equal(group.name, 'ops');
    assert.deepEqual(await admin.listGroups({ q: 'op' }), [{ id: group.id, name: 'ops', memberCount: 0 }]);
    const added = await admin.addMember('ops', 'ivan');
    assert.equal(added.user.name, 'ivan');
    assert.deepEqual(
      (await admin.getGroup(group.id)).members.map((member) => member.name),
      ['ivan'],
    );
    assert.equal((await admin.renameGroup('ops', 'operations')).name, 'operations');
    assert.equal((await admin.listGroups({ q: 'operations' }))[0]?.memberCount, 1);
    await admin.removeMember('operations', 'ivan');
    assert.deepEqual((await admin.getGroup('operations')).members, []);
    assert.equal((await admin.deleteGroup('operations')).id, group.id);
    await rejectsWith(admin.getGroup('operations'), 404);
  });
});

const pick = ({ quotaBytes, effectiveQuotaBytes }: UserQuota) => ({ quotaBytes, effectiveQuotaBytes });

describe('admin client: quotas and the audit log', () => {
  it('sets, reads and clears a quota, with usage', async () => {
    await admin.createUser({ name: 'jo' });
    const set = await admin.setQuota('jo', 5_000_000);
    assert.equal(set.name, 'jo');
    assert.equal(set.quotaBytes, 5_000_000);
    assert.equal(set.effectiveQuotaBytes, 5_000_000);
    assert.deepEqual(set.usage, { files: 0, revisions: 0, bytes: 0, stagedBytes: 0 });
    assert.equal((await admin.getQuota('jo')).quotaBytes, 5_000_000);
    // 0 (no quota) and null (the instance default) stay apart over HTTP (src/http/access/quotaRoutes.ts).
    assert.deepEqual(pick(await admin.setQuota('jo', 0)), { quotaBytes: 0, effectiveQuotaBytes: null });
    assert.deepEqual(pick(await admin.setQuota('jo', null)), { quotaBytes: null, effectiveQuotaBytes: null });
    assert.deepEqual(pick(await admin.getQuota('jo')), { quotaBytes: null, effectiveQuotaBytes: null });
  });

  it('reads the audit log newest first, filtered by kind and actor, paged with before', async () => {
    await admin.createGroup('audited-1');
    await admin.createGroup('audited-2');
    const groups = await admin.listAudit({ kind: 'group.created', actor: 'admin' });
    assert.ok(groups.length >= 2);
    assert.ok(groups.every((event) => event.kind === 'group.created' && event.actorName === 'admin'));
    assert.ok(groups[0]!.id > groups[1]!.id, 'newest first');
    assert.equal(groups[0]!.subject, 'group:audited-2');
    const first = await admin.listAudit({ limit: 1 });
    const next = await admin.listAudit({ limit: 1, before: first[0]!.id });
    assert.ok(next[0]!.id < first[0]!.id);
    assert.deepEqual(await admin.listAudit({ from: new Date(Date.now() + 3_600_000) }), []);
    assert.ok(AUDIT_KINDS.includes(first[0]!.kind));
    await rejectsWith(admin.listAudit({ from: 'yesterday' }), 400, /from/);
  });

  it('refuses a user who is not an instance admin with 403 (which /me tells beforehand)', async () => {
    const kim = await admin.createUser({ name: 'kim', token: { scope: 'read' } });
    const asKim = createAdminClient({ baseUrl: server.url, token: kim.token });
    const me = await createAccountClient({ baseUrl: server.url, token: kim.token }).me();
    assert.deepEqual({ name: me.user.name, isAdmin: me.user.isAdmin, scope: me.token?.scope }, { name: 'kim', isAdmin: false, scope: 'read' });
    assert.deepEqual(me.usage, { files: 0, revisions: 0, bytes: 0, stagedBytes: 0, quotaBytes: null });
    await rejectsWith(asKim.listUsers(), 403);
    const self = await createAccountClient({ baseUrl: server.url, token: server.adminToken }).me();
    assert.deepEqual({ name: self.user.name, isAdmin: self.user.isAdmin, scope: self.token?.scope }, { name: 'admin', isAdmin: true, scope: 'admin' });
  });
});
