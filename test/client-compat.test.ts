// Issue 13, "What real clients send" (items 8, 10, 11, 12, 13), through the real server on both
// surfaces: query values decoded like URLSearchParams (docs/decisions.md 75), the session header
// X-DOMO-Authentication (77), {} for body-less successes, accepted by ryuu.js and the SDK (78),
// other Domo features' paths (79), and any Accept header.
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@datafiles/sdk';
import { loadRyuu } from './support/ryuu.js';
import { fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

const PREFIXES = ['/domo/data-files/v1', '/api/data/v1/data-files'] as const;

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
});
after(() => server?.cleanup());

function call(path: string, init: RequestInit = {}, token: string | undefined = alice.token): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined && !headers.has('x-domo-authentication')) headers.set('X-DOMO-Developer-Token', token);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

async function json(response: Response, status = 200): Promise<any> {
  const text = await response.text();
  assert.equal(response.status, status, text.slice(0, 300));
  return JSON.parse(text);
}

async function assertDomoError(response: Response, status: number, message?: RegExp): Promise<void> {
  const error = await json(response, status);
  assert.equal(error.status, status);
  assert.equal(error.statusReason, STATUS_CODES[status]);
  assert.equal(error.toe, response.headers.get('x-request-id'));
  if (message) assert.match(error.message, message);
}

const uploadTo = async (prefix: string, query: string, bytes = 'bytes') =>
  (await json(await call(`${prefix}?${query}`, { method: 'POST', body: fileForm(bytes, 'x.bin') }))).dataFileId as number;

for (const prefix of PREFIXES) {
  describe(`${prefix}`, () => {
    describe('item 8: query values decode like URLSearchParams', () => {
      it('a stray % is kept, the valid escapes around it decoded, in name and description', async () => {
        const id = await uploadTo(prefix, 'name=Q4%20plan%20100%%20done.pdf&description=50%%20off%2C%20100%');
        const file = await json(await call(`${prefix}/${id}/details?expand=metadata`));
        assert.equal(file.name, 'Q4 plan 100% done.pdf');
        assert.equal(file.description, '50% off, 100%');
        const plus = await uploadTo(prefix, 'name=a+b%2Bc+100%');
        assert.equal((await json(await call(`${prefix}/${plus}/details`))).name, 'a b+c 100%');
      });

      it('every parameter: list ids and expand with escapes and a stray %, the download fileName', async () => {
        const one = await uploadTo(prefix, 'name=one');
        const two = await uploadTo(prefix, 'name=two');
        const listed = await json(await call(`${prefix}/details?ids=${one}%2C${two}&expand=revisions%2Cmetadata&limitToOwned=%74rue`));
        assert.deepEqual(
          listed.map((file: { dataFileId: number }) => file.dataFileId),
          [one, two],
        );
        assert.equal(listed[0].revisions.length, 1);
        await assertDomoError(await call(`${prefix}/details?expand=revisions%`), 400, /revisions%/);
        const download = await call(`${prefix}/${one}?fileName=100%%20done%2Etxt&download=true`);
        assert.match(download.headers.get('content-disposition') ?? '', /filename="100% done.txt"/);
        await download.arrayBuffer();
      });
    });

    describe('item 10: the session header X-DOMO-Authentication', () => {
      it('names the user, in any letter case, after the Domo token headers and before Bearer', async () => {
        const id = await uploadTo(prefix, 'name=private&public=false');
        for (const name of ['X-DOMO-Authentication', 'x-domo-authentication', 'X-Domo-Authentication']) {
          assert.equal((await call(`${prefix}/${id}/details`, { headers: { [name]: alice.token } }, undefined)).status, 200, name);
        }
        assert.equal((await call(`${prefix}/${id}/details`, { headers: { 'X-DOMO-Authentication': 'not-a-token' } }, undefined)).status, 401);
        // The documented order: Ryuu-Session, Developer-Token, Authentication, Bearer, ryuu_sid, cookie.
        const as = (headers: Record<string, string>) => call(`${prefix}/${id}/details`, { headers }, undefined).then((response) => response.status);
        assert.equal(await as({ 'X-DOMO-Developer-Token': bob.token, 'X-DOMO-Authentication': alice.token }), 404, 'the developer token comes first');
        assert.equal(await as({ 'X-DOMO-Ryuu-Session': bob.token, 'X-DOMO-Authentication': alice.token }), 404, 'the ryuu session comes first');
        assert.equal(await as({ 'X-DOMO-Authentication': alice.token, Authorization: `Bearer ${bob.token}` }), 200, 'before Bearer');
        assert.equal(await as({ 'X-DOMO-Authentication': bob.token, Cookie: `ryuu_sid=${alice.token}` }), 404, 'before the cookie');
      });
    });

    describe('item 12: paths of other Domo features', () => {
      it('answer a Domo-shaped 404 naming the feature, on every method, never a 5xx', async () => {
        for (const path of ['/large', '/large/', '/large/123', '/large/upload/5', '/file-upload/config', '/file-upload']) {
          for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
            const response = await call(`${prefix}${path}`, {
              method,
              headers: { 'content-type': 'application/json' },
              body: method === 'GET' ? undefined : '{}',
            });
            await assertDomoError(response, 404, /Domo's .* (API|instead)/);
          }
        }
        // Nothing about a file is revealed, so the refusal needs no token either.
        await assertDomoError(await call(`${prefix}/large`, {}, undefined), 404, /large-file upload/);
      });
    });

    describe('item 13: any Accept header is harmless', () => {
      it('answers as without it: JSON, downloads, errors', async () => {
        const id = await uploadTo(prefix, 'name=accept.txt', 'accept me');
        for (const accept of ['application/array-of-objects', 'application/json', 'text/html', 'application/xml', '*/*', 'image/png;q=0.1', 'nonsense', '']) {
          const headers = { accept };
          assert.equal((await json(await call(`${prefix}/details`, { headers }))).length > 0, true, accept);
          await json(await call(`${prefix}/${id}/details`, { headers }));
          await json(await call(`${prefix}/${id}/revisions/details`, { headers }));
          assert.equal(await (await call(`${prefix}/${id}`, { headers })).text(), 'accept me', accept);
          await assertDomoError(await call(`${prefix}/987654/details`, { headers }), 404);
          await json(
            await call(`${prefix}/${id}/permissions`, {
              method: 'PUT',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify({ publicAccess: false }),
            }),
          );
        }
      });
    });
  });
}

describe('item 12: other versions of the App path', () => {
  it('/domo/data-files/v2/… is a Domo-shaped 404 naming the path, on every method', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      await assertDomoError(await call('/domo/data-files/v2/12/details', { method }), 404, /\/domo\/data-files\/v2\/12\/details/);
    }
  });
});

describe('item 8: the multipart session body and the checksum are unchanged', () => {
  it('a part checksum with escapes still verifies', async () => {
    const { sessionId } = await json(
      await call('/domo/data-files/v1/multipart', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: '100% parts', contentType: 'text/plain' }),
      }),
    );
    const part = await call(`/domo/data-files/v1/multipart/${sessionId}/part/1?%5Bchecksum=${'0'.repeat(64)}%5D`, { method: 'PUT', body: 'x' });
    await assertDomoError(part, 400, /checksum/);
  });
});

describe('item 11: body-less successes answer {}, and the clients accept it', () => {
  it('ryuu.js: domo.delete of a revision and a file, domo.put of permissions, the abort', async () => {
    const ryuu = loadRyuu(server.url, alice.token);
    // ryuu.js's default export, whose HTTP methods its type declarations do not reach here.
    const domo = ryuu.domo as unknown as {
      delete(url: string): Promise<unknown>;
      put(url: string, body: unknown): Promise<unknown>;
      post(url: string, body?: unknown): Promise<unknown>;
    };
    try {
      const id = await uploadTo('/domo/data-files/v1', 'name=ryuu.txt');
      const second = (await json(await call(`/domo/data-files/v1/${id}`, { method: 'PUT', body: fileForm('v2') }))).revisionId as number;
      assert.deepEqual(await domo.delete(`/domo/data-files/v1/${id}/revisions/${second}`), {});
      assert.deepEqual(await domo.put(`/domo/data-files/v1/${id}/permissions`, { publicAccess: true, entries: [] }), {});
      // Item 7 as public clients send it: domo.put with the metadata in the query and no body.
      const updated = (await domo.put(`/domo/data-files/v1/${id}?description=from%20ryuu&public=false`, undefined)) as {
        description: string;
        publicAccess: boolean;
      };
      assert.deepEqual([updated.description, updated.publicAccess], ['from ryuu', false]);
      assert.deepEqual(await domo.delete(`/domo/data-files/v1/${id}`), {});
      const { sessionId } = (await domo.post('/domo/data-files/v1/multipart', { name: 'n', contentType: 'text/plain' })) as { sessionId: string };
      assert.deepEqual(await domo.post(`/domo/data-files/v1/multipart/${sessionId}/abort`), {});
      assert.equal((await call(`/domo/data-files/v1/${id}/details`)).status, 404);
    } finally {
      ryuu.restore();
    }
  });

  it('the SDK: deleteFile (revision and file), updateFilePermissions, abort', async () => {
    for (const apiPath of PREFIXES) {
      const client = createClient({ baseUrl: server.url, token: alice.token, apiPath });
      const id = await uploadTo(apiPath, 'name=sdk.txt');
      const second = (await json(await call(`${apiPath}/${id}`, { method: 'PUT', body: fileForm('v2') }))).revisionId as number;
      await client.deleteFile(id, { revisionId: second });
      await client.updateFilePermissions(id, { publicAccess: false, entries: [] });
      await client.deleteFile(id);
      const { sessionId } = await client.createSession({ name: 'n', contentType: 'text/plain' });
      await client.abort(sessionId);
      assert.equal((await call(`${apiPath}/${id}/details`)).status, 404);
    }
  });
});
