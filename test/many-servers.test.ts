// Issue #5, item 5: "Many servers, one instance: a test starts three server processes on
// different ports sharing PostgreSQL and RGW; one multipart session's parts go to all three, the
// commit to a fourth request on another; revisions uploaded concurrently through different
// servers all land with distinct ids; a file deleted through one is gone on all. Kill one server
// mid-upload: the others keep serving and the client's retry through another server completes
// the upload."
//
// One scale-out backend (a fresh PostgreSQL database and S3 bucket) and three `datafiles serve`
// processes on it, started at the same moment as a deployment would start them, each with a data
// directory of its own and the same admin token.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { provisionScaleOut, type BackendResources } from './support/backend.js';
import { sha256Hex } from './support/bytes.js';
import { BLOCK_BYTES, generatedBytes, streamedForm, toWebStream } from './support/generatedBody.js';
import { API, api, fileForm, startTestServer, type TestServer } from './support/server.js';
import { storedBytesOf } from './support/storedBytes.js';
import { waitFor } from './support/waitFor.js';

const MiB = 1024 * 1024;

interface FileDetails {
  dataFileId: number;
  name: string;
  currentRevision: { dataFileRevisionId: number; sizeBytes: number; sha256HashValue: string };
  revisions: Array<{ dataFileRevisionId: number; sizeBytes: number; sha256HashValue: string }>;
}

/** Downloads with the body hashed as it streams; never holds a large file. */
async function downloadDigest(server: TestServer, token: string, pathAndQuery: string): Promise<{ status: number; sha256: string; sizeBytes: number }> {
  const response = await api(server, token, pathAndQuery);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of (response.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { status: response.status, sha256: hash.digest('hex').toUpperCase(), sizeBytes };
}

async function json(response: Response): Promise<any> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

describe('three servers, one instance (PostgreSQL + S3)', () => {
  let backend: BackendResources;
  /** Every server started (all cleaned up at the end)... */
  const servers: TestServer[] = [];
  /** ...and those still running, which every check goes through. */
  let live: TestServer[] = [];
  const token = randomBytes(24).toString('base64url');
  /** Files every server must list, by id: name and SHA-256 of the current revision. */
  const expected = new Map<number, { name: string; sha256: string }>();

  const [a, b, c] = [0, 1, 2].map((index) => () => servers[index]);

  const upload = async (server: TestServer, name: string, bytes: Uint8Array) => {
    const response = await api(server, token, `${API}?name=${encodeURIComponent(name)}`, { method: 'POST', body: fileForm(bytes, name) });
    const body = await json(response);
    assert.equal(response.status, 200, `upload through ${server.url}: ${JSON.stringify(body)}`);
    return body.dataFileId as number;
  };
  const details = async (server: TestServer, id: number, query = '') => {
    const response = await api(server, token, `${API}/${id}/details${query}`);
    return { status: response.status, body: (await json(response)) as FileDetails };
  };
  const list = async (server: TestServer): Promise<FileDetails[]> => {
    const response = await api(server, token, `${API}/details?limitToOwned=false`);
    assert.equal(response.status, 200);
    return (await response.json()) as FileDetails[];
  };
  const postJson = (server: TestServer, path: string, body: unknown) =>
    api(server, token, `${API}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const putPart = (server: TestServer, sessionId: string, index: number, bytes: Uint8Array) =>
    api(server, token, `${API}/multipart/${sessionId}/part/${index}?checksum=${sha256Hex(bytes)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes as BodyInit,
    });

  /** Every server lists exactly the expected files, and each one's bytes match its hash. */
  const assertEveryServerListsOnlyCompleteFiles = async () => {
    for (const server of live) {
      const files = await list(server);
      assert.deepEqual(
        files.map((file) => file.dataFileId),
        [...expected.keys()].sort((x, y) => x - y),
        `the files listed by ${server.url}`,
      );
      for (const file of files) {
        assert.equal(file.name, expected.get(file.dataFileId)!.name);
        assert.equal(file.currentRevision.sha256HashValue, expected.get(file.dataFileId)!.sha256);
      }
    }
    // The bytes behind each listed file, through a server chosen in turn, are whole.
    const files = await list(live[0]);
    for (const [index, file] of files.entries()) {
      const got = await downloadDigest(live[index % live.length], token, `${API}/${file.dataFileId}`);
      assert.equal(got.status, 200);
      assert.equal(got.sizeBytes, file.currentRevision.sizeBytes, `file ${file.dataFileId} size`);
      assert.equal(got.sha256, file.currentRevision.sha256HashValue, `file ${file.dataFileId} bytes`);
    }
  };

  before(async () => {
    backend = await provisionScaleOut();
    // All at once, as a deployment starts them: the migrations and the admin bootstrap race.
    const started = await Promise.allSettled([0, 1, 2].map(() => startTestServer({ backend, adminToken: token, env: { DATAFILES_LOG_LEVEL: 'warn' } })));
    servers.push(...started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])));
    live = [...servers];
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    assert.equal(new Set(servers.map((server) => server.url)).size, 3, 'three ports');
  });

  after(async () => {
    await Promise.allSettled(servers.map((server) => server.cleanup()));
    await backend?.release();
  });

  it('every server answers, healthy, on a port of its own', async () => {
    for (const server of servers) {
      const health = await api(server, undefined, '/healthz');
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', dependencies: { metadata: 'ok', blobs: 'ok' } });
    }
    await assertEveryServerListsOnlyCompleteFiles();
  });

  it('one multipart session: created on A, parts through A, B and C, committed through another; concurrent commits agree', async () => {
    // Parts of 6 MiB and 7 MiB are assembled by S3 copies; the 300 KiB one between them and the
    // short last one take the streamed path (assemblyPlan.ts).
    const parts = [randomBytes(6 * MiB), randomBytes(300 * 1024), randomBytes(7 * MiB), randomBytes(1 * MiB + 17)];
    const whole = Buffer.concat(parts);
    const created = await postJson(a(), '/multipart', { name: 'assembled.bin', contentType: 'application/octet-stream' });
    assert.equal(created.status, 200);
    const { sessionId } = (await created.json()) as { sessionId: string };

    const route = [a(), b(), c(), b()];
    for (const [position, bytes] of parts.entries()) {
      const response = await putPart(route[position], sessionId, position + 1, bytes);
      assert.equal(response.status, 200, `part ${position + 1} through ${route[position].url}: ${await response.clone().text()}`);
    }
    // A part whose checksum does not match is refused and the part it would replace is kept.
    const refused = await api(c(), token, `${API}/multipart/${sessionId}/part/2?checksum=${sha256Hex(parts[0])}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: randomBytes(300 * 1024) as BodyInit,
    });
    assert.equal(refused.status, 400, await refused.clone().text());
    // Any server sees every part, whichever server stored it.
    for (const server of servers) {
      const view = (await (await api(server, token, `${API}/multipart/${sessionId}`)).json()) as any;
      assert.equal(view.state, 'OPEN');
      assert.deepEqual(
        view.parts.map((part: { index: number; sizeBytes: number; sha256: string }) => [part.index, part.sizeBytes, part.sha256.toUpperCase()]),
        parts.map((bytes, index) => [index + 1, bytes.length, sha256Hex(bytes)]),
      );
    }

    // The commit: two requests at once through B and C (a client retrying through another
    // server while the first is still running); both get the one revision.
    const commits = await Promise.all(
      [b(), c()].map((server) => postJson(server, `/multipart/${sessionId}/commit`, { totalParts: parts.length, sha256: sha256Hex(whole) })),
    );
    const results = await Promise.all(commits.map(json));
    for (const [index, response] of commits.entries()) assert.equal(response.status, 200, JSON.stringify(results[index]));
    assert.deepEqual(results[0], results[1], 'both commits name the same revision');
    const { dataFileId, revisionId } = results[0] as { dataFileId: number; revisionId: number };
    expected.set(dataFileId, { name: 'assembled.bin', sha256: sha256Hex(whole) });

    for (const server of servers) {
      const got = await details(server, dataFileId, '?expand=revisions');
      assert.equal(got.status, 200);
      assert.equal(got.body.currentRevision.dataFileRevisionId, revisionId);
      assert.equal(got.body.currentRevision.sizeBytes, whole.length);
      assert.equal(got.body.currentRevision.sha256HashValue, sha256Hex(whole));
      assert.equal(got.body.revisions.length, 1);
      const downloaded = await downloadDigest(server, token, `${API}/${dataFileId}`);
      assert.equal(downloaded.sha256, sha256Hex(whole), `download through ${server.url}`);
    }
    // A part after the commit is refused, on any server.
    assert.equal((await putPart(a(), sessionId, 5, randomBytes(10))).status, 409);
  });

  it('revisions uploaded concurrently through different servers all land, with distinct ids', async () => {
    const first = randomBytes(64 * 1024);
    const dataFileId = await upload(a(), 'revised.bin', first);
    const contents = Array.from({ length: 15 }, () => randomBytes(32 * 1024 + Math.floor(Math.random() * 32 * 1024)));
    const responses = await Promise.all(
      contents.map((bytes, index) => api(servers[index % 3], token, `${API}/${dataFileId}`, { method: 'PUT', body: fileForm(bytes, `v${index + 2}.bin`) })),
    );
    const revisionIds: number[] = [];
    for (const response of responses) {
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      revisionIds.push(body.revisionId);
    }
    assert.equal(new Set(revisionIds).size, contents.length, `distinct revision ids: ${revisionIds}`);

    const initial = (await details(a(), dataFileId, '?expand=revisions')).body;
    const allIds = [initial.revisions.at(-1)!.dataFileRevisionId, ...revisionIds];
    for (const server of servers) {
      const got = (await details(server, dataFileId, '?expand=revisions')).body;
      assert.deepEqual(
        got.revisions.map((revision) => revision.dataFileRevisionId),
        [...allIds].sort((x, y) => y - x),
        'every revision, newest first',
      );
      // The last revision to commit is current, and it is the newest.
      assert.equal(got.currentRevision.dataFileRevisionId, Math.max(...allIds));
    }
    // Each revision's own bytes, through a server other than the one that took it.
    for (const [index, bytes] of contents.entries()) {
      const got = await downloadDigest(servers[(index + 1) % 3], token, `${API}/${dataFileId}/revisions/${revisionIds[index]}`);
      assert.equal(got.status, 200);
      assert.equal(got.sha256, sha256Hex(bytes), `revision ${revisionIds[index]}`);
    }
    const current = contents[revisionIds.indexOf(Math.max(...revisionIds))];
    expected.set(dataFileId, { name: 'revised.bin', sha256: sha256Hex(current) });
  });

  it('a file deleted through one server is gone on all, even from their small-file caches', async () => {
    const bytes = randomBytes(100 * 1024);
    const dataFileId = await upload(c(), 'doomed.bin', bytes);
    for (const server of servers) assert.equal((await details(server, dataFileId)).status, 200);
    // Small enough for every server's cache (docs/decisions.md 182), and read twice through each.
    const small = randomBytes(4 * 1024);
    const smallFileId = await upload(a(), 'doomed-small.bin', small);
    for (const server of servers) {
      for (let read = 0; read < 2; read++) {
        const download = await api(server, token, `${API}/${smallFileId}`);
        assert.equal(sha256Hex(Buffer.from(await download.arrayBuffer())), sha256Hex(small), `download through ${server.url}`);
      }
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^datafiles_blob_cache_reads_total\{source="memory"\} [1-9]/m, `the second read through ${server.url} came from memory`);
    }

    for (const [doomed, through] of [
      [dataFileId, b()],
      [smallFileId, c()],
    ] as const) {
      const deleted = await api(through, token, `${API}/${doomed}`, { method: 'DELETE' });
      assert.ok(deleted.status === 200 || deleted.status === 204, `delete: ${deleted.status}`);
    }
    for (const server of servers) {
      assert.equal((await details(server, dataFileId)).status, 404, `details through ${server.url}`);
      assert.equal((await api(server, token, `${API}/${dataFileId}`)).status, 404, `download through ${server.url}`);
      assert.equal((await api(server, token, `${API}/${smallFileId}`)).status, 404, `download of the small file through ${server.url}`);
      assert.ok(!(await list(server)).some((file) => file.dataFileId === dataFileId), `listed by ${server.url}`);
    }
    // A second delete, through yet another server, finds nothing.
    assert.equal((await api(a(), token, `${API}/${dataFileId}`, { method: 'DELETE' })).status, 404);
    await assertEveryServerListsOnlyCompleteFiles();
  });

  it('a server killed mid-upload: the others keep serving, retries through them complete, nothing half-written shows', async () => {
    const victim = a();
    const survivors = [b(), c()];

    // Two uploads in flight to A: a 48 MiB single upload and a 24 MiB multipart part. Each body
    // stops after 16 MiB until A has been killed.
    const [singleSeed, partSeed] = [randomBytes(BLOCK_BYTES), randomBytes(BLOCK_BYTES)];
    const single = generatedBytes(48 * MiB, singleSeed);
    const partContent = generatedBytes(24 * MiB, partSeed);
    let release!: () => void;
    const killed = new Promise<void>((resolve) => (release = resolve));
    const halfway: Promise<void>[] = [];
    const pausing = (source: AsyncGenerator<Uint8Array>) => {
      let reached!: () => void;
      halfway.push(new Promise<void>((resolve) => (reached = resolve)));
      return (async function* () {
        let sent = 0;
        for await (const chunk of source) {
          yield chunk;
          sent += chunk.length;
          if (sent === 16 * MiB) {
            reached();
            await killed;
          }
        }
      })();
    };

    const created = await postJson(b(), '/multipart', { name: 'resumed.bin', contentType: 'application/octet-stream' });
    const { sessionId } = (await created.json()) as { sessionId: string };
    const firstPart = randomBytes(5 * MiB);
    assert.equal((await putPart(c(), sessionId, 1, firstPart)).status, 200);

    const form = streamedForm(pausing(single.chunks()), 'interrupted.bin');
    const inFlight = [
      api(victim, token, `${API}?name=interrupted.bin`, {
        method: 'POST',
        headers: { 'content-type': form.contentType },
        body: toWebStream(form.body()),
        duplex: 'half',
      } as RequestInit),
      api(victim, token, `${API}/multipart/${sessionId}/part/2`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: toWebStream(pausing(partContent.chunks())),
        duplex: 'half',
      } as RequestInit),
    ].map((request) =>
      request.then(
        (response) => ({ status: response.status }),
        (error: unknown) => ({ error }),
      ),
    );
    await Promise.all(halfway);
    // A has passed bytes on to S3: the single upload's multipart upload is there.
    const stored = storedBytesOf(victim);
    await waitFor(async () => (await stored.temporaries()).length > 0, { what: 'A to start writing to S3' });
    stored.close();
    await victim.kill(); // SIGKILL: no goodbye
    release();
    const outcomes = await Promise.all(inFlight);
    for (const outcome of outcomes) assert.ok('error' in outcome, `a request to the killed server did not fail: ${JSON.stringify(outcome)}`);

    // The survivors keep serving, and nothing of the interrupted writes is visible.
    for (const server of survivors) {
      assert.equal((await api(server, undefined, '/healthz')).status, 200);
      const view = (await (await api(server, token, `${API}/multipart/${sessionId}`)).json()) as any;
      assert.equal(view.state, 'OPEN');
      assert.deepEqual(
        view.parts.map((part: { index: number }) => part.index),
        [1],
        'only the complete part',
      );
    }
    live = live.filter((server) => server !== victim);
    await assertEveryServerListsOnlyCompleteFiles();

    // The client retries through B: the whole single upload, and the part.
    const again = generatedBytes(48 * MiB, singleSeed);
    const againForm = streamedForm(again.chunks(), 'interrupted.bin');
    const retried = await api(b(), token, `${API}?name=interrupted.bin`, {
      method: 'POST',
      headers: { 'content-type': againForm.contentType },
      body: toWebStream(againForm.body()),
      duplex: 'half',
    } as RequestInit);
    assert.equal(retried.status, 200, await retried.clone().text());
    const retriedId = ((await retried.json()) as { dataFileId: number }).dataFileId;
    const wholeDigest = again.digests();

    const partAgain = generatedBytes(24 * MiB, partSeed);
    const partRetried = await api(b(), token, `${API}/multipart/${sessionId}/part/2`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: toWebStream(partAgain.chunks()),
      duplex: 'half',
    } as RequestInit);
    assert.equal(partRetried.status, 200, await partRetried.clone().text());
    const commit = await postJson(c(), `/multipart/${sessionId}/commit`, {});
    assert.equal(commit.status, 200, await commit.clone().text());
    const committed = (await commit.json()) as { dataFileId: number };

    // Downloaded through C, byte for byte what the client sent.
    const singleDownload = await downloadDigest(c(), token, `${API}/${retriedId}`);
    assert.equal(singleDownload.sizeBytes, 48 * MiB);
    assert.equal(singleDownload.sha256, wholeDigest.sha256);
    const assembled = createHash('sha256').update(firstPart);
    for await (const chunk of generatedBytes(24 * MiB, partSeed).chunks()) assembled.update(chunk);
    const assembledSha = assembled.digest('hex').toUpperCase();
    const multipartDownload = await downloadDigest(c(), token, `${API}/${committed.dataFileId}`);
    assert.equal(multipartDownload.sizeBytes, 29 * MiB);
    assert.equal(multipartDownload.sha256, assembledSha);

    expected.set(retriedId, { name: 'interrupted.bin', sha256: wholeDigest.sha256 });
    expected.set(committed.dataFileId, { name: 'resumed.bin', sha256: assembledSha });
    await assertEveryServerListsOnlyCompleteFiles();

    // A replacement for A (a fresh process, a fresh data directory) joins and sees it all.
    const replacement = await startTestServer({ backend, adminToken: token, env: { DATAFILES_LOG_LEVEL: 'warn' } });
    servers.push(replacement);
    live.push(replacement);
    await assertEveryServerListsOnlyCompleteFiles();
  });
});
