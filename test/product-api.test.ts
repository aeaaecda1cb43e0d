// Issue 13, "Domo's Product API in full": every operation of ../shared/spec/product-api.md (P1-P13)
// through the real server, on both surfaces (docs/decisions.md 80: the same routes, with raw-body
// uploads and public-by-default on the Product surface only), and revision id -1
// (docs/decisions.md 76) wherever a revision id is accepted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { md5Hex, randomContent, sha256Hex } from './support/bytes.js';
import { rawExchange, requestHead } from './support/rawHttp.js';
import { fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';
import { storedBytesOf } from './support/storedBytes.js';

const MAX_FILE_BYTES = 1024 * 1024;
const SURFACES = [
  { name: 'App Framework', prefix: '/domo/data-files/v1', product: false },
  { name: 'Product API', prefix: '/api/data/v1/data-files', product: true },
] as const;

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startTestServer({ args: ['--max-file-bytes', String(MAX_FILE_BYTES)] });
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
});
after(() => server?.cleanup());

/** A request as a Product API client sends it: the developer-token header. */
function call(token: string, path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('X-DOMO-Developer-Token', token);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

async function json(response: Response, status = 200): Promise<any> {
  const text = await response.text();
  assert.equal(response.status, status, text.slice(0, 300));
  return JSON.parse(text);
}

for (const surface of SURFACES) {
  const P = surface.prefix;
  const upload = async (user: TestUser, bytes: Uint8Array | string, query: string, name = 'data.bin') =>
    (await json(await call(user.token, `${P}?${query}`, { method: 'POST', body: fileForm(bytes, name) }))).dataFileId as number;
  const revise = async (user: TestUser, id: number, bytes: Uint8Array | string) =>
    (await json(await call(user.token, `${P}/${id}`, { method: 'PUT', body: fileForm(bytes) }))).revisionId as number;
  const details = async (user: TestUser, id: number, expand = '') => json(await call(user.token, `${P}/${id}/details${expand ? `?expand=${expand}` : ''}`));

  describe(`${surface.name} surface (${P})`, () => {
    describe('P1/P2 uploads', () => {
      it(surface.product ? 'takes the raw bytes as the body, typed by Content-Type' : 'refuses a raw body: a multipart form only', async () => {
        const bytes = 'id,amount\n1,100\n';
        const response = await call(alice.token, `${P}?name=ledger`, { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body: bytes });
        if (!surface.product) {
          const error = await json(response, 400);
          assert.match(error.message, /multipart/);
          return;
        }
        const { dataFileId } = await json(response);
        const file = await details(alice, dataFileId);
        assert.equal(file.name, 'ledger');
        assert.equal(file.currentRevision.contentType, 'text/csv');
        assert.equal(file.currentRevision.sizeBytes, Buffer.byteLength(bytes));
        assert.equal(file.currentRevision.sha256HashValue, sha256Hex(bytes));
        assert.equal(file.currentRevision.md5Hash, md5Hex(bytes));
        assert.equal(await (await call(alice.token, `${P}/${dataFileId}`)).text(), bytes);

        const v2 = randomContent(300_000);
        const { revisionId } = await json(
          await call(alice.token, `${P}/${dataFileId}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(v2) }),
        );
        assert.equal((await details(alice, dataFileId)).currentRevision.dataFileRevisionId, revisionId);
        assert.deepEqual(Buffer.from(await (await call(alice.token, `${P}/${dataFileId}`)).arrayBuffer()), v2);
      });

      it('still takes a multipart form', async () => {
        const id = await upload(alice, 'form bytes', 'name=form.txt');
        await revise(alice, id, 'form bytes, v2');
        assert.equal(await (await call(alice.token, `${P}/${id}`)).text(), 'form bytes, v2');
      });

      it(`leaves public out: ${surface.product ? 'public (the Product page: defaults to true)' : 'private (the App page: false by default)'}`, async () => {
        const id = await upload(alice, 'who may read me?', 'name=default-public.txt');
        assert.equal((await details(alice, id, 'metadata')).publicAccess, surface.product);
        assert.equal((await call(bob.token, `${P}/${id}/details`)).status, surface.product ? 200 : 404);
        const privateId = await upload(alice, 'private', 'name=private.txt&public=false');
        assert.equal((await call(bob.token, `${P}/${privateId}/details`)).status, 404);
      });

      if (surface.product) {
        it('a raw body cut short (or reset) stores nothing, leaves no temporary, and the server still serves', async () => {
          const stored = storedBytesOf(server);
          try {
            const blobsBefore = (await stored.blobs()).length;
            for (const then of ['end', 'destroy'] as const) {
              const head = requestHead('POST', `${P}?name=cut-${then}.bin`, {
                'X-DOMO-Developer-Token': alice.token,
                'Content-Type': 'application/octet-stream',
                'Content-Length': 100_000,
              });
              await rawExchange(server.url, [head, randomContent(40_000)], { then, timeoutMs: 3000 });
            }
            const deadline = Date.now() + 10_000;
            while ((await stored.temporaries()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
            assert.deepEqual(await stored.temporaries(), []);
            assert.equal((await stored.blobs()).length, blobsBefore);
            const listed = await json(await call(alice.token, `${P}/details`));
            assert.ok(!listed.some((file: { name: string }) => file.name.startsWith('cut-')));
          } finally {
            stored.close();
          }
        });

        it('holds a raw body to --max-file-bytes: a larger Content-Length, or a longer chunked body, is 413 and stores nothing', async () => {
          const big = randomContent(MAX_FILE_BYTES + 1);
          const declared = await call(alice.token, `${P}?name=big.bin`, {
            method: 'POST',
            headers: { 'content-type': 'application/octet-stream' },
            body: new Uint8Array(big),
          });
          assert.match((await json(declared, 413)).message, new RegExp(String(MAX_FILE_BYTES)));
          const chunks = [big.subarray(0, 500_000), big.subarray(500_000)];
          const chunked = await call(alice.token, `${P}?name=big.bin`, {
            method: 'POST',
            headers: { 'content-type': 'application/octet-stream' },
            body: new ReadableStream({
              pull(controller) {
                const next = chunks.shift();
                if (next) controller.enqueue(next);
                else controller.close();
              },
            }),
            duplex: 'half',
          }).catch(() => undefined);
          // The server may answer 413 and close before the rest is sent; either way nothing is kept.
          if (chunked) assert.equal(chunked.status, 413);
          const listed = await json(await call(alice.token, `${P}/details`));
          assert.ok(!listed.some((file: { name: string }) => file.name === 'big.bin'));
        });
      }
    });

    describe('P5/P6 revision details', () => {
      it('one revision by id or -1; every revision newest first', async () => {
        const id = await upload(alice, 'r1', 'name=history.txt&public=false');
        const r2 = await revise(alice, id, 'r2 bytes');
        const r3 = await revise(alice, id, 'r3, the newest');
        const file = await details(alice, id, 'revisions');
        const all = await json(await call(alice.token, `${P}/${id}/revisions/details`));
        assert.deepEqual(all, file.revisions, 'the same objects the expand gives');
        assert.deepEqual(all.map((revision: { dataFileRevisionId: number }) => revision.dataFileRevisionId).slice(0, 2), [r3, r2]);
        assert.equal(all.length, 3);
        const second = await json(await call(alice.token, `${P}/${id}/revisions/${r2}/details`));
        assert.deepEqual(second, all[1]);
        assert.equal(second.sha256HashValue, sha256Hex('r2 bytes'));
        assert.deepEqual(await json(await call(alice.token, `${P}/${id}/revisions/-1/details`)), all[0], '-1 is the newest');
        await json(await call(alice.token, `${P}/${id}/revisions/987654/details`), 404);
        await json(await call(bob.token, `${P}/${id}/revisions/details`), 404);
        await json(await call(alice.token, `${P}/${id}/revisions/-2/details`), 400);
      });
    });

    describe('P3/P7 list and download options', () => {
      it('fileName names the download; /revision/{rid} (singular) and -1 name revisions', async () => {
        const id = await upload(alice, 'first', 'name=report.txt');
        const r2 = await revise(alice, id, 'second');
        const named = await call(alice.token, `${P}/${id}?fileName=${encodeURIComponent('Q4 summary.txt')}`);
        assert.equal(await named.text(), 'second');
        assert.match(named.headers.get('content-disposition') ?? '', /filename="Q4 summary.txt"/);
        const plain = await call(alice.token, `${P}/${id}`);
        assert.match(plain.headers.get('content-disposition') ?? '', /filename="?report.txt"?$/);
        await plain.arrayBuffer();
        const first = (await details(alice, id, 'revisions')).revisions[1].dataFileRevisionId;
        for (const path of [`revision/${first}`, `revisions/${first}`]) {
          const response = await call(alice.token, `${P}/${id}/${path}?fileName=old.txt`);
          assert.equal(await response.text(), 'first', path);
          assert.match(response.headers.get('content-disposition') ?? '', /filename="?old.txt"?$/);
        }
        for (const path of ['revision/-1', 'revisions/-1', `revision/${r2}`])
          assert.equal(await (await call(alice.token, `${P}/${id}/${path}`)).text(), 'second', path);
        const head = await call(alice.token, `${P}/${id}/revision/-1`, { method: 'HEAD' });
        assert.equal(head.headers.get('content-length'), '6');
        await json(await call(alice.token, `${P}/${id}?fileName=${'x'.repeat(1025)}`), 400);
      });

      it('the list takes userId (owned by that user, among the readable) and dataFileIds', async () => {
        const mine = await upload(alice, 'a', 'name=a.txt&public=false');
        const hers = await upload(alice, 'b', 'name=b.txt&public=true');
        const his = await upload(bob, 'c', 'name=c.txt&public=true');
        const ids = (files: Array<{ dataFileId: number }>) => files.map((file) => file.dataFileId);
        const byAlice = ids(await json(await call(alice.token, `${P}/details?userId=${alice.id}`)));
        assert.ok(byAlice.includes(mine) && byAlice.includes(hers) && !byAlice.includes(his));
        const seenByBob = ids(await json(await call(bob.token, `${P}/details?userId=${alice.id}`)));
        assert.ok(seenByBob.includes(hers) && !seenByBob.includes(mine), 'only what bob may read');
        assert.deepEqual(ids(await json(await call(alice.token, `${P}/details?dataFileIds=${mine},${his}`))), [mine, his]);
        assert.deepEqual(ids(await json(await call(alice.token, `${P}/details?dataFileIds=${his}&userId=${alice.id}`))), []);
        await json(await call(alice.token, `${P}/details?userId=abc`), 400);
      });
    });

    describe('metadata update: PUT /{id}?description=…&public=… with no body', () => {
      it('changes the description and public flag; with a body it is still a revision', async () => {
        const id = await upload(alice, 'meta', 'name=meta.txt&description=old&public=false');
        const before = await details(alice, id, 'metadata');
        const updated = await json(await call(alice.token, `${P}/${id}?description=${encodeURIComponent('new words')}&public=true`, { method: 'PUT' }));
        assert.equal(updated.description, 'new words');
        assert.equal(updated.publicAccess, true);
        assert.deepEqual(updated.currentRevision, before.currentRevision, 'no new revision');
        assert.equal((await call(bob.token, `${P}/${id}/details`)).status, 200, 'public now');
        // ryuu.js style: Content-Type JSON, no body; public= empty leaves the flag.
        const cleared = await json(
          await call(alice.token, `${P}/${id}?description=&public=`, { method: 'PUT', headers: { 'content-type': 'application/json' } }),
        );
        assert.equal(cleared.description, '');
        assert.equal(cleared.publicAccess, true);
        const { revisionId } = await json(await call(alice.token, `${P}/${id}?description=ignored&public=false`, { method: 'PUT', body: fileForm('meta v2') }));
        const after = await details(alice, id, 'metadata');
        assert.equal(after.currentRevision.dataFileRevisionId, revisionId);
        assert.equal(after.description, '');
        assert.equal(after.publicAccess, true);
        await json(await call(alice.token, `${P}/${id}?public=maybe`, { method: 'PUT' }), 400);
      });

      it('description needs READ_WRITE, public READ_WRITE_DELETE_SHARE', async () => {
        const id = await upload(alice, 'shared', 'name=shared.txt&public=false');
        const grant = (level: string) =>
          call(alice.token, `${P}/${id}/permissions`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ entries: [{ entityType: 'USER', entityId: String(bob.id), grant: level, pass: 'NONE' }] }),
          });
        await json(await call(bob.token, `${P}/${id}?description=x`, { method: 'PUT' }), 404);
        await json(await grant('READ'));
        await json(await call(bob.token, `${P}/${id}?description=x`, { method: 'PUT' }), 403);
        await json(await grant('READ_WRITE'));
        assert.equal((await json(await call(bob.token, `${P}/${id}?description=by%20bob`, { method: 'PUT' }))).description, 'by bob');
        await json(await call(bob.token, `${P}/${id}?public=true`, { method: 'PUT' }), 403);
        await json(await grant('READ_WRITE_DELETE_SHARE'));
        assert.equal((await json(await call(bob.token, `${P}/${id}?public=true`, { method: 'PUT' }))).publicAccess, true);
      });
    });

    describe('P8 copy and P9 duplicate', () => {
      it('copy: the source current revision becomes the target current one, same hashes and bytes', async () => {
        const bytes = randomContent(50_000);
        const source = await upload(alice, bytes, 'name=source.bin');
        const target = await upload(alice, 'old target bytes', 'name=target.bin');
        const { revisionId } = await json(await call(alice.token, `${P}/copy/${source}/revisions/current/${target}`, { method: 'POST' }));
        const sourceFile = await details(alice, source);
        const targetFile = await details(alice, target, 'revisions');
        assert.equal(targetFile.currentRevision.dataFileRevisionId, revisionId);
        assert.equal(targetFile.currentRevision.dataFileId, target);
        assert.equal(targetFile.revisions.length, 2, 'a new revision; the old one stays');
        for (const field of ['sha256HashValue', 'md5Hash', 'sizeBytes', 'contentType'])
          assert.equal(targetFile.currentRevision[field], sourceFile.currentRevision[field], field);
        assert.equal(targetFile.currentRevision.uploadUserId, alice.id);
        assert.deepEqual(Buffer.from(await (await call(alice.token, `${P}/${target}`)).arrayBuffer()), bytes);
        assert.equal(targetFile.name, 'target.bin', 'the target keeps its name');
        await json(await call(alice.token, `${P}/copy/987654/revisions/current/${target}`, { method: 'POST' }), 404);
        await json(await call(alice.token, `${P}/copy/${source}/revisions/current/987654`, { method: 'POST' }), 404);
      });

      it('duplicate: a new private file owned by the caller, same name, description and hashes, fresh timestamps', async () => {
        const bytes = randomContent(40_000);
        const source = await upload(alice, bytes, 'name=original.bin&description=the%20original&public=true');
        const original = await details(alice, source, 'metadata');
        const response = await call(bob.token, `${P}/${source}/duplicate`, { method: 'POST', headers: { 'content-type': 'application/json' } });
        const copy = await json(response);
        assert.notEqual(copy.dataFileId, source);
        assert.equal(copy.name, 'original.bin');
        assert.equal(copy.responsibleUserId, bob.id);
        assert.deepEqual(copy.revisions, []);
        assert.equal(copy.existing, false);
        assert.equal(copy.currentRevision.dataFileId, copy.dataFileId);
        assert.notEqual(copy.currentRevision.dataFileRevisionId, original.currentRevision.dataFileRevisionId);
        for (const field of ['sha256HashValue', 'md5Hash', 'sizeBytes', 'contentType'])
          assert.equal(copy.currentRevision[field], original.currentRevision[field], field);
        assert.ok(copy.datetimeCreated >= original.datetimeCreated && copy.currentRevision.datetimeUploaded >= original.currentRevision.datetimeUploaded);
        const mine = await details(bob, copy.dataFileId, 'metadata');
        assert.equal(mine.description, 'the original');
        assert.equal(mine.publicAccess, false, 'docs/decisions.md 82: permissions are not copied');
        assert.deepEqual((await json(await call(bob.token, `${P}/${copy.dataFileId}/permissions`))).entries, [
          { entityType: 'USER', entityId: String(bob.id), grant: 'READ_WRITE_DELETE_SHARE_ADMIN', pass: 'NONE' },
        ]);
        assert.equal((await call(alice.token, `${P}/${copy.dataFileId}/details`)).status, 404, "the source's owner does not see bob's duplicate");
        assert.deepEqual(Buffer.from(await (await call(bob.token, `${P}/${copy.dataFileId}`)).arrayBuffer()), bytes);
        await json(await call(bob.token, `${P}/987654/duplicate`, { method: 'POST' }), 404);
      });
    });

    describe('P10-P13 delete and permissions answer {} (docs/decisions.md 78)', () => {
      it('delete a revision (also -1), permissions, delete the file', async () => {
        const id = await upload(alice, 'one', 'name=doomed.txt');
        const r2 = await revise(alice, id, 'two');
        await revise(alice, id, 'three');
        const deleted = await call(alice.token, `${P}/${id}/revisions/-1`, { method: 'DELETE' });
        assert.match(deleted.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(await json(deleted), {});
        assert.equal((await details(alice, id)).currentRevision.dataFileRevisionId, r2, '-1 deleted the newest; the next is current');
        assert.deepEqual(await json(await call(alice.token, `${P}/${id}/revisions/${r2}`, { method: 'DELETE' })), {});
        const permissions = await json(await call(alice.token, `${P}/${id}/permissions`));
        assert.deepEqual(
          await json(
            await call(alice.token, `${P}/${id}/permissions`, {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(permissions),
            }),
          ),
          {},
        );
        assert.deepEqual(await json(await call(alice.token, `${P}/${id}`, { method: 'DELETE' })), {});
        await json(await call(alice.token, `${P}/${id}/details`), 404);
      });
    });
  });
}
