// Issue 10, items 5, 11 and 13, against the real server.
//  5. A token passed as ?ryuu%5Fsid=… or ?%72yuu_sid=… authenticated (Fastify decodes the name) but
//     the log kept it in clear; it is now masked by the decoded name, and appears in no log line,
//     error answer or metric.
// 11. GET /metrics was open to anyone; --metrics-access loopback|admin|open (docs/decisions.md 36).
// 13. A permission entry's pass could hold any grant; only NONE is accepted (docs/decisions.md 37).
// Both backends: test/scale-out/access-hardening.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSql } from './support/metadataSql.js';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser, assertDomoErrorAnswer as assertDomoError } from './support/server.js';

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let fileId: number;

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
  const created = await api(server, alice.token, `${API}?name=shared.txt`, { method: 'POST', body: fileForm('shared bytes', 'shared.txt', 'text/plain') });
  assert.equal(created.status, 200, await created.clone().text());
  fileId = ((await created.json()) as { dataFileId: number }).dataFileId;
});
after(() => server?.cleanup());

/** Waits until the server has logged a line for each request id (pino writes asynchronously). */
async function loggedLines(requestIds: string[]): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = server.output().split('\n');
    const found = requestIds.map((id) => lines.find((line) => line.includes(id) && line.includes('request completed')));
    if (found.every(Boolean)) return found as string[];
    if (Date.now() > deadline) assert.fail(`no log line for ${requestIds.filter((_, index) => !found[index]).join(', ')}`);
    await new Promise((wait) => setTimeout(wait, 25));
  }
}

describe('a token in the query never reaches the log, however its name is spelled (issue 10, item 5)', () => {
  const SPELLINGS = ['ryuu_sid', 'ryuu%5Fsid', 'ryuu%5fsid', '%72yuu_sid', '%72%79%75%75%5F%73%69%64'];

  it('each spelling authenticates, and no log line, error answer or metric holds the token', async () => {
    const requestIds: string[] = [];
    for (const spelling of SPELLINGS) {
      const download = await fetch(`${server.url}${API}/${fileId}?${spelling}=${encodeURIComponent(alice.token)}`);
      assert.equal(download.status, 200, `${spelling}: the token authenticates`);
      assert.equal(await download.text(), 'shared bytes');
      requestIds.push(download.headers.get('x-request-id')!);
      for (const path of [`${API}/999999`, `${API}/not-an-id`, `${API}/${fileId}/revisions/0`, '/domo/data-files/v1x/nothing-here']) {
        const refused = await fetch(`${server.url}${path}?a=1&${spelling}=${encodeURIComponent(alice.token)}&b=2`);
        const text = await refused.text();
        assert.ok(refused.status >= 400 && refused.status < 500, `${spelling} ${path}: ${refused.status}`);
        assert.ok(!text.includes(alice.token), `${spelling} ${path}: the error answer holds the token: ${text}`);
        requestIds.push(refused.headers.get('x-request-id')!);
      }
    }
    const lines = await loggedLines(requestIds);
    for (const line of lines) assert.ok(!line.includes(alice.token), `a log line holds the token: ${line}`);
    assert.ok(
      lines.some((line) => line.includes('%72yuu_sid=[redacted]')),
      'the escaped name is logged, its value masked',
    );
    assert.ok(!server.output().includes(alice.token), 'the server printed the token somewhere');
    const metrics = await fetch(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.ok(!(await metrics.text()).includes(alice.token), 'a metric holds the token');
  });
});

describe('who may read /metrics (issue 10, item 11; docs/decisions.md 36)', () => {
  const PROXIED = { 'x-forwarded-for': '203.0.113.9' };
  const metrics = (target: { url: string }, headers: Record<string, string> = {}) => fetch(`${target.url}/metrics`, { headers });

  it('by default: open to this machine; anyone else (here, through a proxy) needs an admin token', async () => {
    const local = await metrics(server);
    assert.equal(local.status, 200);
    assert.match(await local.text(), /datafiles_http_requests_total/);
    for (const headers of [PROXIED, { forwarded: 'for=203.0.113.9' }, { 'x-real-ip': '203.0.113.9' }] as Record<string, string>[]) {
      const body = await assertDomoError(await metrics(server, headers), 401, JSON.stringify(headers));
      assert.match(String(body.message), /--metrics-access/);
    }
    await assertDomoError(await metrics(server, { ...PROXIED, 'x-domo-developer-token': alice.token }), 403, 'a user who is not an admin');
    await assertDomoError(await metrics(server, { ...PROXIED, authorization: 'Bearer not-a-token' }), 401, 'a wrong token');
    const admin = await metrics(server, { ...PROXIED, authorization: `Bearer ${server.adminToken}` });
    assert.equal(admin.status, 200);
    assert.match(await admin.text(), /datafiles_http_requests_total/);
  });

  it('--metrics-access admin: an admin token even from this machine', async () => {
    const strict = await startTestServer({ args: ['--metrics-access', 'admin'] });
    try {
      await assertDomoError(await metrics(strict), 401, 'no token');
      const user = await strict.addUser('carol');
      await assertDomoError(await metrics(strict, { 'x-domo-developer-token': user.token }), 403, 'not an admin');
      assert.equal((await metrics(strict, { 'x-domo-developer-token': strict.adminToken })).status, 200);
      assert.equal((await metrics(strict, { authorization: `Bearer ${strict.adminToken}` })).status, 200);
    } finally {
      await strict.cleanup();
    }
  });

  it('DATAFILES_METRICS_ACCESS=open: anyone', async () => {
    const open = await startTestServer({ env: { DATAFILES_METRICS_ACCESS: 'open' } });
    try {
      assert.equal((await metrics(open, PROXIED)).status, 200);
    } finally {
      await open.cleanup();
    }
  });
});

describe("a permission entry's pass is NONE or absent (issue 10, item 13; docs/decisions.md 37)", () => {
  const permissionsOf = async (user: TestUser) => {
    const response = await api(server, user.token, `${API}/${fileId}/permissions`);
    assert.equal(response.status, 200);
    return (await response.json()) as { publicAccess: boolean; entries: Record<string, unknown>[] };
  };
  const put = (user: TestUser, body: unknown) =>
    api(server, user.token, `${API}/${fileId}/permissions`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const owner = () => ({ entityType: 'USER', entityId: String(alice.id), grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' });
  const bobWith = (pass?: unknown) => ({
    entityType: 'USER',
    entityId: String(bob.id),
    grant: 'READ_WRITE_DELETE_SHARE',
    ...(pass === undefined ? {} : { pass }),
  });

  it('a SHARE holder cannot store a grant in pass: 400, nothing changed', async () => {
    assert.equal((await put(alice, { entries: [owner(), bobWith('NONE')] })).status, 200);
    const before = await permissionsOf(alice);
    for (const pass of ['READ_WRITE_DELETE_SHARE_ADMIN', 'READ', 'none', 'EVERYONE', 1, true]) {
      const body = await assertDomoError(await put(bob, { entries: [owner(), bobWith(pass)] }), 400, JSON.stringify(pass));
      assert.match(String(body.message), /pass must be NONE/);
    }
    assert.deepEqual(await permissionsOf(alice), before);
  });

  it('NONE, a missing pass and null are accepted, and answered as NONE', async () => {
    for (const pass of ['NONE', undefined, null]) {
      const response = await put(bob, { entries: [owner(), bobWith(pass)] });
      assert.equal(response.status, 200, `${JSON.stringify(pass)}: ${await response.text()}`);
      for (const entry of (await permissionsOf(alice)).entries) assert.equal(entry.pass, 'NONE');
    }
  });

  it('a pass stored before is answered as NONE, so sending back what was read still works', async () => {
    await runSql(server, 'update file_permissions set pass = ? where file_id = ? and entity_id = ?', ['READ_WRITE_DELETE_SHARE_ADMIN', fileId, bob.id]);
    const read = await permissionsOf(bob);
    for (const entry of read.entries) assert.equal(entry.pass, 'NONE');
    const echoed = await put(bob, read);
    assert.equal(echoed.status, 200, await echoed.text());
  });
});
