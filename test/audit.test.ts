// Issue 12: "Security-relevant events recorded as structured rows in the metadata store and as log
// lines … Queryable by admins over HTTP (filter by actor, file, kind, time; paged) and from the
// CLI … A test checks that each operation above writes its event." Each operation is done once
// (through the admin API, the self-service API, the Files API or the CLI) and its event is then
// looked for by kind: as a row over HTTP, and as a log line in the server's output. The list of
// kinds is the service's own (AUDIT_KINDS), so a new kind without an operation here fails.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { AUDIT_KINDS, type AuditKind } from '../src/core/audit/model.js';
import { API, api, CLI, fileForm, startTestServer, type TestServer } from './support/server.js';

const ACCESS = '/datafiles/v1';
const execFileAsync = promisify(execFile);
let server: TestServer;
/** What the admin CLI printed on stderr (its audit log lines). */
let cliOutput = '';

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

async function call(token: string | undefined, urlPath: string, init?: RequestInit, status = 200): Promise<any> {
  const response = await api(server, token, urlPath, init);
  const text = await response.text();
  assert.equal(response.status, status, `${init?.method ?? 'GET'} ${urlPath}: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}
const admin = (urlPath: string, init?: RequestInit, status?: number) => call(server.adminToken, `${ACCESS}/admin${urlPath}`, init, status);

/** Time passes for one token: its expiry is moved into the past, in whichever database the server uses. */
async function expireToken(tokenId: number): Promise<void> {
  const urlIndex = server.backend.args.indexOf('--database-url');
  if (urlIndex < 0) {
    const database = new BetterSqlite3(path.join(server.dataDir, 'datafiles.sqlite'), { timeout: 5000 });
    try {
      database.prepare('update user_tokens set expires_at = ? where id = ?').run(Date.now() - 1000, tokenId);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: server.backend.args[urlIndex + 1] });
  await client.connect();
  try {
    await client.query('update user_tokens set expires_at = $1 where id = $2', [Date.now() - 1000, tokenId]);
  } finally {
    await client.end();
  }
}

async function eventsOf(kind: AuditKind): Promise<any[]> {
  return admin(`/audit?kind=${kind}`);
}

before(async () => {
  server = await startTestServer({ env: { DATAFILES_AUDIT_FAILED_AUTH_BURST: '5' } });
});
after(() => server?.cleanup());

describe('audit: every operation writes its event (docs/decisions.md 66)', () => {
  const done = new Set<AuditKind>();

  before(async () => {
    // Users, tokens and groups through the admin API.
    const created = await admin('/users', json('POST', { name: 'alice' }), 201);
    const alice = created.token as string;
    await admin('/users', json('POST', { name: 'bob' }), 201);
    done.add('user.created').add('token.created');
    await admin('/users/bob/disable', json('POST'));
    done.add('user.disabled');
    await admin('/users/bob/enable', json('POST'));
    done.add('user.enabled');
    await admin('/users/bob/quota', json('PUT', { quotaBytes: 1_000_000 }));
    done.add('user.quota_set');
    await admin('/groups', json('POST', { name: 'ops' }), 201);
    done.add('group.created');
    await admin('/groups/ops/members/bob', { method: 'PUT' });
    done.add('group.member_added');
    await admin('/groups/ops/members/bob', { method: 'DELETE' });
    done.add('group.member_removed');
    await admin('/groups/ops', json('PATCH', { name: 'operations' }));
    done.add('group.renamed');
    await admin('/groups/operations', { method: 'DELETE' });
    done.add('group.deleted');

    // A token revoked, then used; another expired, then used.
    const revoked = await call(alice, `${ACCESS}/me/tokens`, json('POST', { label: 'to revoke' }), 201);
    await call(alice, `${ACCESS}/me/tokens/${revoked.id}`, { method: 'DELETE' });
    done.add('token.revoked');
    await call(revoked.token, `${API}/details`, undefined, 401);
    done.add('token.revoked_use');
    const expiring = await call(alice, `${ACCESS}/me/tokens`, json('POST', { label: 'to expire' }), 201);
    await expireToken(expiring.id);
    await call(expiring.token, `${API}/details`, undefined, 401);
    done.add('token.expired_use');

    // Files: permissions, a revision, the file.
    const { dataFileId } = await call(alice, `${API}?name=a.txt`, { method: 'POST', body: fileForm('one\n') });
    const first = (await call(alice, `${API}/${dataFileId}/details`)).currentRevision.dataFileRevisionId;
    await call(alice, `${API}/${dataFileId}`, { method: 'PUT', body: fileForm('two\n') });
    await call(alice, `${API}/${dataFileId}/permissions`, json('PUT', { publicAccess: true, entries: [] }));
    done.add('permissions.changed');
    await call(alice, `${API}/${dataFileId}/revisions/${first}`, { method: 'DELETE' });
    done.add('revision.deleted');
    await call(alice, `${API}/${dataFileId}`, { method: 'DELETE' });
    done.add('file.deleted');

    // The CLI: a user deleted by the operator (its log lines are the CLI's, on stderr).
    const storage = [
      '--data',
      server.dataDir,
      ...server.backend.args.filter((arg, index, all) => arg === '--database-url' || all[index - 1] === '--database-url'),
    ];
    const { stderr } = await execFileAsync(process.execPath, [CLI, 'users', 'delete', 'bob', ...storage], { env: { ...process.env, ...server.backend.env } });
    cliOutput += stderr;
    done.add('user.deleted');

    // A burst of failed authentication from one address (the server was told: 5 in a minute).
    for (let attempt = 0; attempt < 5; attempt += 1) await call('not-a-token-at-all-0123456789', `${API}/details`, undefined, 401);
    done.add('auth.failed_burst');
  });

  it('the test does an operation for every kind there is', () => {
    assert.deepEqual([...done].sort(), [...AUDIT_KINDS].sort());
  });

  for (const kind of AUDIT_KINDS) {
    it(`${kind}: a row over HTTP and a log line`, async () => {
      // Some events are recorded just after the answer (the HTTP layer's): poll with a deadline.
      const deadline = Date.now() + 10_000;
      let events = await eventsOf(kind);
      while (events.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setImmediate(resolve));
        events = await eventsOf(kind);
      }
      assert.ok(events.length > 0, `no ${kind} event`);
      assert.ok(events.every((event) => event.kind === kind && typeof event.at === 'number' && event.actorName));
      const logged = () => `${server.output()}${cliOutput}`.includes(`"msg":"audit: ${kind} `);
      const deadlineForLog = Date.now() + 10_000;
      while (!logged() && Date.now() < deadlineForLog) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(logged(), `no log line for ${kind}`);
    });
  }

  it('the actor is named: an admin over HTTP, the operator at the command line, the user itself', async () => {
    assert.equal((await eventsOf('user.disabled'))[0].actorName, 'admin');
    assert.equal((await eventsOf('user.deleted'))[0].actorName, 'operator (command line)');
    assert.equal((await eventsOf('file.deleted'))[0].actorName, 'alice');
  });

  it('filters by actor, file and time, pages with before, and is admin-only', async () => {
    const fileEvents = await admin(`/audit?file=${(await eventsOf('file.deleted'))[0].fileId}`);
    assert.deepEqual(
      fileEvents.map((event: { kind: string }) => event.kind),
      ['file.deleted', 'revision.deleted', 'permissions.changed'],
    );
    const byAlice = await admin('/audit?actor=alice');
    assert.ok(byAlice.length >= 5 && byAlice.every((event: { actorName: string }) => event.actorName === 'alice'));
    const page = await admin('/audit?limit=2');
    const next = await admin(`/audit?limit=2&before=${page[1].id}`);
    assert.ok(next[0].id < page[1].id);
    assert.deepEqual(await admin(`/audit?from=${Date.now() + 60_000}`), []);
    const alice = await admin('/users/alice/tokens', json('POST', { scope: 'write' }), 201);
    await call(alice.token, `${ACCESS}/admin/audit`, undefined, 403);
  });

  it('the CLI lists the same events, one JSON line each', async () => {
    const line = await server.cli(['audit', 'list', '--kind', 'group.renamed']);
    assert.equal(line.kind, 'group.renamed');
    assert.deepEqual(line.details, { groupId: line.details.groupId, from: 'ops', to: 'operations' });
  });
});
