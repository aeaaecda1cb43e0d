// The admin CLI for access management (issue 12), on the stores directly while a server runs on
// them and after it stopped: users list/show/disable/enable/delete, groups list/show/
// remove-member/rename/delete, tokens create (today's shape kept)/list/revoke/revoke-all, and
// `share FILE --user NAME` by name. Lists are one JSON object per line when piped, a table on a
// terminal; a token list never shows a secret.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { API, api, CLI, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `datafiles ARGS` with the server's storage options (admin commands) or its URL (client commands). */
function run(args: string[], options: { token?: string; storage?: boolean } = {}): Promise<Run> {
  const storage =
    options.storage === false
      ? []
      : ['--data', server.dataDir, ...server.backend.args.filter((arg, index, all) => arg === '--database-url' || all[index - 1] === '--database-url')];
  const env = { ...process.env, ...server.backend.env, DATAFILES_URL: server.url, DATAFILES_TOKEN: options.token ?? '' };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, ...storage], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function ok(args: string[]): Promise<any[]> {
  const result = await run(args);
  assert.equal(result.code, 0, `datafiles ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim() === ''
    ? []
    : result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
}

const status = async (token: string, path = `${API}/details`) => {
  const response = await api(server, token, path);
  await response.body?.cancel();
  return response.status;
};

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
});
after(() => server?.cleanup());

describe('admin CLI: tokens', () => {
  it('`users add` and `tokens create USER` keep their shape; new tokens are dfp_ with the asked scope, lifetime and label', async () => {
    assert.deepEqual(Object.keys(alice).slice(0, 3), ['id', 'name', 'token']);
    const [plain] = await ok(['tokens', 'create', 'alice']);
    assert.match(plain.token, /^dfp_[0-9A-Za-z]{38}$/);
    assert.equal(plain.scope, 'write');
    const [scoped] = await ok(['tokens', 'create', 'alice', '--scope', 'read', '--expires', '1d', '--label', 'nightly export']);
    assert.equal(scoped.scope, 'read');
    assert.equal(scoped.label, 'nightly export');
    assert.ok(Math.abs(Date.parse(scoped.expiresAt) - Date.now() - 86_400_000) < 60_000);
    assert.equal(await status(scoped.token), 200);
    const refused = await run(['tokens', 'create', 'alice', '--scope', 'admin']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not an instance admin/);
    assert.equal((await run(['tokens', 'create', 'alice', '--scope', 'everything'])).code, 2);
  });

  it('`tokens list [USER]` is one JSON line per token and never a secret; `tokens revoke ID` holds on the next request', async () => {
    const [created] = await ok(['tokens', 'create', 'bob', '--label', 'to revoke']);
    const listed = await ok(['tokens', 'list', 'bob']);
    assert.ok(listed.length >= 2);
    assert.ok(listed.every((token) => token.userId === bob.id && !('token' in token)));
    const all = await run(['tokens', 'list']);
    assert.ok(!all.stdout.includes(created.token) && !all.stdout.includes(bob.token), 'no secret in a token list');
    assert.equal(await status(created.token), 200);
    const [revoked] = await ok(['tokens', 'revoke', String(created.id)]);
    assert.equal(revoked.state, 'revoked');
    assert.equal(await status(created.token), 401);
    assert.equal(await status(bob.token), 200, "bob's other tokens still work");
    assert.equal((await run(['tokens', 'revoke', created.token])).code, 2, 'a secret is not a token id');
  });

  it('`tokens revoke-all USER` revokes every token of the user', async () => {
    const carol = await server.addUser('carol');
    const [second] = await ok(['tokens', 'create', 'carol']);
    const [result] = await ok(['tokens', 'revoke-all', 'carol']);
    assert.equal(result.revoked, 2);
    assert.equal(await status(carol.token), 401);
    assert.equal(await status(second.token), 401);
  });
});

describe('admin CLI: users and groups', () => {
  it('`users list`, `users show`, `users disable` / `enable` (401 then 200 over HTTP)', async () => {
    const names = (await ok(['users', 'list'])).map((user) => user.name);
    for (const name of ['admin', 'alice', 'bob']) assert.ok(names.includes(name), name);
    assert.deepEqual(
      (await ok(['users', 'list', '--search', 'AL'])).map((user) => user.name),
      ['alice'],
    );
    const [shown] = await ok(['users', 'show', 'alice']);
    assert.equal(shown.id, alice.id);
    assert.ok(Array.isArray(shown.tokens) && shown.tokens.every((token: object) => !('token' in token)));
    await ok(['users', 'disable', 'alice']);
    const refused = await api(server, alice.token, `${API}/details`);
    assert.equal(refused.status, 401);
    assert.match((await refused.json()).message, /disabled/);
    await ok(['users', 'enable', 'alice']);
    assert.equal(await status(alice.token), 200);
  });

  it('`users delete` refuses while files would be orphaned, then transfers them with --transfer-to', async () => {
    const dan = await server.addUser('dan');
    const upload = await api(server, dan.token, `${API}?name=dan.txt`, { method: 'POST', body: fileForm('dan\n') });
    const { dataFileId } = await upload.json();
    const refused = await run(['users', 'delete', 'dan']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /transfer/);
    const [deleted] = await ok(['users', 'delete', 'dan', '--transfer-to', 'bob']);
    assert.deepEqual(deleted, { deleted: 'dan', id: dan.id, transferTo: 'bob', filesTransferred: 1 });
    const details = await (await api(server, bob.token, `${API}/${dataFileId}/details`)).json();
    assert.equal(details.responsibleUserId, bob.id);
  });

  it('`groups list`, `show`, `remove-member`, `rename`, `delete`', async () => {
    await server.addGroup('sales');
    await server.addGroupMember('sales', 'alice');
    assert.deepEqual((await ok(['groups', 'list'])).find((group) => group.name === 'sales')?.memberCount, 1);
    assert.deepEqual((await ok(['groups', 'show', 'sales']))[0].members, [{ id: alice.id, name: 'alice' }]);
    await ok(['groups', 'remove-member', 'sales', 'alice']);
    assert.deepEqual((await ok(['groups', 'show', 'sales']))[0].members, []);
    assert.equal((await ok(['groups', 'rename', 'sales', 'revenue']))[0].name, 'revenue');
    assert.equal((await run(['groups', 'show', 'sales'])).code, 1);
    await ok(['groups', 'delete', 'revenue']);
    assert.ok(!(await ok(['groups', 'list'])).some((group) => group.name === 'revenue'));
  });
});

describe('share by name', () => {
  it('`share FILE --user NAME` and `--group NAME` resolve names on the server; an unknown name is a usage error', async () => {
    await server.addGroup('readers');
    const upload = await api(server, alice.token, `${API}?name=shared.txt`, { method: 'POST', body: fileForm('shared\n') });
    const { dataFileId } = await upload.json();
    const shared = await run(['share', String(dataFileId), '--user', 'bob', '--grant', 'READ', '--json'], { token: alice.token, storage: false });
    assert.equal(shared.code, 0, shared.stderr);
    const permissions = JSON.parse(shared.stdout.trim());
    assert.ok(
      permissions.entries.some(
        (entry: { entityType: string; entityId: string; grant: string }) =>
          entry.entityType === 'USER' && entry.entityId === String(bob.id) && entry.grant === 'READ',
      ),
    );
    assert.equal(await status(bob.token, `${API}/${dataFileId}/details`), 200);
    const group = await run(['share', String(dataFileId), '--group', 'readers', '--grant', 'READ', '--json'], { token: alice.token, storage: false });
    assert.equal(group.code, 0, group.stderr);
    const unknown = await run(['share', String(dataFileId), '--user', 'bo', '--grant', 'READ'], { token: alice.token, storage: false });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no user named "bo" \(did you mean bob\?\)/);
  });
});

describe('without a running server', () => {
  it('the admin commands work on the stores alone', async () => {
    await server.stop();
    const users = await ok(['users', 'list']);
    assert.ok(users.some((user) => user.name === 'alice'));
    const [created] = await ok(['tokens', 'create', 'alice', '--expires', 'never']);
    assert.equal(created.expiresAt, null);
  });
});
