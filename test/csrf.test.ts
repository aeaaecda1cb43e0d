// Issue 10, item 4 (CSRF), the rule itself (docs/decisions.md 40) on the real server: a ryuu_sid
// cookie or query parameter authorises GET and HEAD only; a state-changing request needs a header
// credential, and one a browser marks Sec-Fetch-Site: cross-site is refused whatever its
// credential. Before the fix, every refused request below created a file or a session. The
// browser's view of the same attack: test/browser-csrf.test.ts. Domo's own client, ryuu.js, sends
// X-DOMO-Ryuu-Session and keeps working (its write paths: test/ryuu-files-api.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadRyuu } from './support/ryuu.js';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

interface DomoErrorBody {
  status: number;
  statusReason: string;
  message: string;
  toe: string;
}

describe('CSRF: cookie and query tokens authorise only GET and HEAD', { timeout: 120_000 }, () => {
  let server: TestServer;
  let user: TestUser;
  let fileId: number;

  before(async () => {
    server = await startTestServer();
    user = await server.addUser('alice');
    const created = await api(server, user.token, `${API}?name=kept.txt`, { method: 'POST', body: fileForm('kept') });
    assert.equal(created.status, 200);
    fileId = ((await created.json()) as { dataFileId: number }).dataFileId;
  });
  after(() => server?.cleanup());

  async function fileNames(): Promise<string[]> {
    const response = await api(server, user.token, `${API}/details`);
    return ((await response.json()) as { name: string }[]).map((file) => file.name);
  }

  async function assertRefused(response: Response, status: number, message: RegExp): Promise<void> {
    assert.equal(response.status, status);
    const body = (await response.json()) as DomoErrorBody;
    assert.equal(body.status, status);
    assert.ok(body.statusReason && body.toe);
    assert.match(body.message, message);
  }

  const cookie = () => ({ cookie: `ryuu_sid=${user.token}` });

  it('an upload authorised by the cookie alone is refused with 401 that says to send the header', async () => {
    const response = await fetch(`${server.url}${API}?name=by-cookie.txt`, { method: 'POST', body: fileForm('x'), headers: cookie() });
    await assertRefused(response, 401, /ryuu_sid cookie or query parameter authorises only GET and HEAD.*X-DOMO-Ryuu-Session/);
    assert.deepEqual(await fileNames(), ['kept.txt']);
  });

  it('an upload authorised by ?ryuu_sid alone is refused too', async () => {
    const response = await fetch(`${server.url}${API}?name=by-query.txt&ryuu_sid=${user.token}`, { method: 'POST', body: fileForm('x') });
    await assertRefused(response, 401, /authorises only GET and HEAD/);
    assert.deepEqual(await fileNames(), ['kept.txt']);
  });

  it('PUT, DELETE and session creation by cookie are refused; nothing changes', async () => {
    const put = await fetch(`${server.url}${API}/${fileId}`, { method: 'PUT', body: fileForm('y'), headers: cookie() });
    await assertRefused(put, 401, /authorises only GET and HEAD/);
    const remove = await fetch(`${server.url}${API}/${fileId}`, { method: 'DELETE', headers: cookie() });
    await assertRefused(remove, 401, /authorises only GET and HEAD/);
    const session = await fetch(`${server.url}${API}/multipart`, {
      method: 'POST',
      headers: { ...cookie(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'big.bin', contentType: 'application/octet-stream' }),
    });
    await assertRefused(session, 401, /authorises only GET and HEAD/);
    const details = await api(server, user.token, `${API}/${fileId}/details?expand=revisions`);
    assert.equal(((await details.json()) as { revisions: unknown[] }).revisions.length, 1);
  });

  it('GET and HEAD by cookie and by ?ryuu_sid still download', async () => {
    const byCookie = await fetch(`${server.url}${API}/${fileId}`, { headers: cookie() });
    assert.equal(byCookie.status, 200);
    assert.equal(await byCookie.text(), 'kept');
    const byQuery = await fetch(`${server.url}${API}/${fileId}?ryuu_sid=${user.token}`);
    assert.equal(byQuery.status, 200);
    assert.equal(await byQuery.text(), 'kept');
    const head = await fetch(`${server.url}${API}/${fileId}`, { method: 'HEAD', headers: cookie() });
    assert.equal(head.status, 200);
  });

  it('a header credential works for a write even with the cookie beside it, unless the browser says cross-site', async () => {
    const ok = await api(server, user.token, `${API}?name=by-header.txt`, {
      method: 'POST',
      body: fileForm('z'),
      headers: { ...cookie(), 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(ok.status, 200);
    for (const header of [{ 'x-domo-developer-token': user.token }, { authorization: `Bearer ${user.token}` }] as Record<string, string>[]) {
      const response = await fetch(`${server.url}${API}?name=other-header.txt`, { method: 'POST', body: fileForm('w'), headers: header });
      assert.equal(response.status, 200);
    }
    const crossSite = await api(server, user.token, `${API}?name=cross.txt`, {
      method: 'POST',
      body: fileForm('c'),
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    await assertRefused(crossSite, 403, /another site \(Sec-Fetch-Site: cross-site\)/);
    const crossSiteRead = await api(server, user.token, `${API}/${fileId}`, { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(crossSiteRead.status, 200);
    assert.deepEqual((await fileNames()).sort(), ['by-header.txt', 'kept.txt', 'other-header.txt', 'other-header.txt'].sort());
  });

  it('ryuu.js (X-DOMO-Ryuu-Session) still uploads and deletes', async () => {
    const ryuu = loadRyuu(server.url, user.token);
    // The two calls used here, as ryuu.js's bundle has them (its typings declare a class).
    const domo = ryuu.domo as unknown as { post(url: string, body: unknown, options?: object): Promise<unknown>; delete(url: string): Promise<unknown> };
    try {
      const form = fileForm('from ryuu', 'ryuu.txt', 'text/plain');
      const created = (await domo.post(`${API}?name=ryuu.txt`, form, { contentType: 'multipart' })) as { dataFileId: number };
      assert.ok(created.dataFileId > 0);
      assert.equal(ryuu.calls.at(-1)?.headers['x-domo-ryuu-session'], user.token);
      await domo.delete(`${API}/${created.dataFileId}`);
      assert.ok(!(await fileNames()).includes('ryuu.txt'));
    } finally {
      ryuu.restore();
    }
  });
});
