// Issue #5, item 6: "with PostgreSQL or RGW stopped, requests fail fast with 503 in Domo's error
// shape (no hang past a configurable timeout, no crash), /healthz reports which dependency is
// down, and service resumes by itself when it comes back."
//
// Real stops, not simulations, yet the shared services other suites use (PostgreSQL on :5432, the
// project's RGW on :7480) are never touched:
//   - PostgreSQL: a throwaway cluster of our own (initdb in a temporary directory, run as the
//     postgres user), stopped with `pg_ctl stop` and frozen with SIGSTOP;
//   - RGW: a second radosgw daemon, of our own, on the shared Ceph cluster (same mon and OSD, so
//     the same S3 users and buckets), on a port of its own; stopped with SIGTERM and restarted
//     with the same command line (the OSD keeps the data), frozen with SIGSTOP so that
//     connections are accepted but never answered.
// The server under test talks only to these two, with --dependency-timeout-ms 1500.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sha256Hex } from './support/bytes.js';
import { ensureRgw } from './support/rgw.js';
import { API, api, fileForm, startTestServer, type TestServer } from './support/server.js';
import { DedicatedPostgres, ThrowawayRgw, waitUntil } from './support/throwawayServices.js';

const TIMEOUT_MS = 1500;
/** "No hang past a configurable timeout": every failing request must answer within this. */
const BOUND_MS = 1.5 * TIMEOUT_MS + 1000;
/** How long recovery may take once a dependency is back. */
const RECOVERY_MS = 15_000;

interface Timed {
  status: number;
  body: any;
  requestId: string | null;
  ms: number;
}

/** One request, timed, its body read; a client-side deadline far past the bound keeps a hang from stalling the suite. */
async function timed(server: TestServer, token: string, pathAndQuery: string, init: RequestInit = {}): Promise<Timed> {
  const started = Date.now();
  const response = await api(server, token, pathAndQuery, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  const ms = Date.now() - started;
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text, and the shape assertion will say so
  }
  return { status: response.status, body, requestId: response.headers.get('x-request-id'), ms };
}

/** 503 in Domo's shape {status, statusReason, message, toe}, within the bound. */
function assertUnavailable(result: Timed, what: string): void {
  assert.equal(result.status, 503, `${what}: expected 503, got ${result.status} ${JSON.stringify(result.body)}`);
  assert.equal(result.body.status, 503, what);
  assert.equal(result.body.statusReason, 'Service Unavailable', what);
  assert.equal(typeof result.body.message, 'string', what);
  assert.ok(result.body.message.length > 0, what);
  assert.equal(result.body.toe, result.requestId, `${what}: toe is the request id`);
  assert.ok(result.ms < BOUND_MS, `${what}: answered in ${result.ms} ms, bound ${BOUND_MS} ms`);
}

function assertAlive(server: TestServer): void {
  assert.equal(server.child.exitCode, null, `the server exited:\n${server.output().slice(-3000)}`);
  assert.equal(server.child.signalCode, null, 'the server was killed');
}

// ------------------------------------------------------------------------------- the suite

describe('dependency faults: 503 fast, /healthz names the dependency, recovery without restart', () => {
  let postgres: DedicatedPostgres | undefined;
  let rgw: ThrowawayRgw | undefined;
  let server: TestServer;
  let token: string;
  const timings: string[] = [];
  const content = randomBytes(256 * 1024);
  let fileId: number;

  const upload = (name: string, bytes: Uint8Array = content) =>
    timed(server, token, `${API}?name=${encodeURIComponent(name)}`, { method: 'POST', body: fileForm(bytes, name) });
  const list = () => timed(server, token, `${API}/details?limitToOwned=false`);
  const download = async (id: number) => {
    const started = Date.now();
    const response = await api(server, token, `${API}/${id}`, { signal: AbortSignal.timeout(30_000) });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, bytes, ms: Date.now() - started, requestId: response.headers.get('x-request-id') };
  };
  const downloadTimed = async (id: number): Promise<Timed> => {
    const result = await download(id);
    let body: any = result.bytes.toString();
    try {
      body = JSON.parse(body);
    } catch {
      // bytes of a file
    }
    return { status: result.status, body, requestId: result.requestId, ms: result.ms };
  };
  const healthz = () => timed(server, token, '/healthz');
  const createSession = (name: string) =>
    timed(server, token, `${API}/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, contentType: 'application/octet-stream' }),
    });
  const putPart = (sessionId: string, index: number, bytes: Uint8Array) =>
    timed(server, token, `${API}/multipart/${sessionId}/part/${index}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes as BodyInit,
    });

  before(async () => {
    const s3 = await ensureRgw(); // the shared Ceph cluster our radosgw joins
    postgres = await DedicatedPostgres.create();
    rgw = await ThrowawayRgw.create();
    token = randomBytes(24).toString('base64url');
    server = await startTestServer({
      adminToken: token,
      backend: {
        args: [
          '--database-url',
          postgres.url,
          '--s3-endpoint',
          rgw.endpoint,
          '--s3-bucket',
          `datafiles-faults-${randomBytes(6).toString('hex')}`,
          '--s3-region',
          s3.region,
        ],
        env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
        release: async () => {},
      },
      args: ['--dependency-timeout-ms', String(TIMEOUT_MS)],
      env: { DATAFILES_LOG_LEVEL: 'warn' },
    });
  });

  // Always: the dependencies back as they were (and gone), whatever failed.
  after(async () => {
    await server?.cleanup();
    await rgw?.destroy();
    await postgres?.destroy();
    if (timings.length > 0) console.log(`fault timings (bound ${BOUND_MS} ms):\n  ${timings.join('\n  ')}`);
  });

  const record = (what: string, result: { ms: number }) => timings.push(`${what}: ${result.ms} ms`);

  it('serves while both dependencies are up', async () => {
    const uploaded = await upload('before.bin');
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    fileId = uploaded.body.dataFileId;
    const health = await healthz();
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok', dependencies: { metadata: 'ok', blobs: 'ok' } });
  });

  describe('PostgreSQL', () => {
    it('stopped: requests answer 503 fast, /healthz names metadata, the server lives on', async () => {
      await postgres!.stop();
      for (const [what, run] of [
        ['list', list],
        ['upload', () => upload('during-pg-outage.bin')],
        ['download', () => downloadTimed(fileId)],
        ['details', () => timed(server, token, `${API}/${fileId}/details`)],
        ['create session', () => createSession('s.bin')],
      ] as const) {
        const result = await run();
        record(`PostgreSQL stopped, ${what}`, result);
        assertUnavailable(result, `PostgreSQL stopped, ${what}`);
      }
      const health = await healthz();
      record('PostgreSQL stopped, /healthz', health);
      assert.equal(health.status, 503);
      assert.deepEqual(health.body, { status: 'unavailable', dependencies: { metadata: 'down', blobs: 'ok' } });
      assert.ok(health.ms < BOUND_MS);
      assertAlive(server);
    });

    it('started again: service resumes without restarting the server', async () => {
      await postgres!.start();
      const ms = await waitUntil('list answers 200', async () => (await list()).status === 200, RECOVERY_MS);
      timings.push(`PostgreSQL back, first 200 after ${ms} ms`);
      assert.equal((await healthz()).status, 200);
      const uploaded = await upload('after-pg-outage.bin');
      assert.equal(uploaded.status, 200);
      const downloaded = await download(fileId);
      assert.equal(downloaded.status, 200);
      assert.equal(sha256Hex(downloaded.bytes), sha256Hex(content));
      assertAlive(server);
    });

    it('frozen (SIGSTOP: connections accepted, never answered): 503 within the bound, then recovery', async () => {
      await postgres!.pause();
      try {
        for (const [what, run] of [
          ['list', list],
          ['upload', () => upload('during-pg-freeze.bin')],
          ['download', () => downloadTimed(fileId)],
        ] as const) {
          const result = await run();
          record(`PostgreSQL frozen, ${what}`, result);
          assertUnavailable(result, `PostgreSQL frozen, ${what}`);
        }
        const health = await healthz();
        record('PostgreSQL frozen, /healthz', health);
        assert.equal(health.status, 503);
        assert.deepEqual(health.body.dependencies, { metadata: 'down', blobs: 'ok' });
        assertAlive(server);
      } finally {
        await postgres!.resume();
      }
      const ms = await waitUntil('list answers 200', async () => (await list()).status === 200, RECOVERY_MS);
      timings.push(`PostgreSQL thawed, first 200 after ${ms} ms`);
      assert.equal((await upload('after-pg-freeze.bin')).status, 200);
    });
  });

  it('both frozen: /healthz names both within the bound', async () => {
    await postgres!.pause();
    rgw!.pause();
    try {
      const health = await healthz();
      record('both frozen, /healthz', health);
      assert.equal(health.status, 503);
      assert.deepEqual(health.body.dependencies, { metadata: 'down', blobs: 'down' });
      assert.ok(health.ms < BOUND_MS, `/healthz answered in ${health.ms} ms`);
      const listed = await list();
      record('both frozen, list', listed);
      assertUnavailable(listed, 'both frozen, list');
      assertAlive(server);
    } finally {
      rgw!.resume();
      await postgres!.resume();
    }
    const ms = await waitUntil('list answers 200', async () => (await list()).status === 200, RECOVERY_MS);
    timings.push(`both thawed, first 200 after ${ms} ms`);
  });

  describe('RGW (S3)', () => {
    it('stopped: uploads and downloads answer 503 fast, /healthz names blobs, the server lives on', async () => {
      const session = await createSession('parts.bin');
      assert.equal(session.status, 200);
      await rgw!.stop();
      for (const [what, run] of [
        ['upload', () => upload('during-rgw-outage.bin')],
        ['download', () => downloadTimed(fileId)],
        ['part upload', () => putPart(session.body.sessionId, 1, randomBytes(64 * 1024))],
      ] as const) {
        const result = await run();
        record(`RGW stopped, ${what}`, result);
        assertUnavailable(result, `RGW stopped, ${what}`);
      }
      // Metadata alone still answers.
      assert.equal((await list()).status, 200);
      const health = await healthz();
      record('RGW stopped, /healthz', health);
      assert.equal(health.status, 503);
      assert.deepEqual(health.body, { status: 'unavailable', dependencies: { metadata: 'ok', blobs: 'down' } });
      assert.ok(health.ms < BOUND_MS);
      assertAlive(server);
    });

    it('started again: service resumes, and the bytes stored before are intact', async () => {
      await rgw!.start();
      const ms = await waitUntil('download answers 200', async () => (await download(fileId)).status === 200, RECOVERY_MS);
      timings.push(`RGW back, first 200 after ${ms} ms`);
      const downloaded = await download(fileId);
      assert.equal(sha256Hex(downloaded.bytes), sha256Hex(content));
      assert.equal((await upload('after-rgw-outage.bin')).status, 200);
      assert.equal((await healthz()).status, 200);
      assertAlive(server);
    });

    it('frozen (SIGSTOP: connections accepted, never answered): 503 within the bound, then recovery', async () => {
      const session = await createSession('parts-frozen.bin');
      assert.equal(session.status, 200);
      rgw!.pause();
      try {
        for (const [what, run] of [
          ['upload', () => upload('during-rgw-freeze.bin')],
          ['download', () => downloadTimed(fileId)],
          ['part upload', () => putPart(session.body.sessionId, 1, randomBytes(64 * 1024))],
        ] as const) {
          const result = await run();
          record(`RGW frozen, ${what}`, result);
          assertUnavailable(result, `RGW frozen, ${what}`);
        }
        const health = await healthz();
        record('RGW frozen, /healthz', health);
        assert.equal(health.status, 503);
        assert.deepEqual(health.body.dependencies, { metadata: 'ok', blobs: 'down' });
        assertAlive(server);
      } finally {
        rgw!.resume();
      }
      const ms = await waitUntil('download answers 200', async () => (await download(fileId)).status === 200, RECOVERY_MS);
      timings.push(`RGW thawed, first 200 after ${ms} ms`);
      const part = await putPart(session.body.sessionId, 1, content);
      assert.equal(part.status, 200, JSON.stringify(part.body));
      const commit = await timed(server, token, `${API}/multipart/${session.body.sessionId}/commit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(commit.status, 200, JSON.stringify(commit.body));
      const committed = await download(commit.body.dataFileId);
      assert.equal(sha256Hex(committed.bytes), sha256Hex(content));
      assertAlive(server);
    });
  });
});
