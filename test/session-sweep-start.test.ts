// docs/decisions.md 179: a server that finds many upload sessions expired while it was down
// (stored here straight through the stores) listens at once and sweeps them in the background; a
// request for an expired session meanwhile is refused as expired, as it always is (each request
// checks its session's expiry); the sweep removes every staged upload; a stop is clean. Both
// backends. On PostgreSQL a lock held by the test keeps the sweep's first UPDATE waiting, so the
// server is seen serving while its sweep has expired nothing yet (with the start-up waiting for
// the sweep, as before, it never listened).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openBlobInventory, openMetadataStore } from '../src/server/openStores.js';
import { provisionBackend, type Backend } from './support/backend.js';
import { storageOf, storeExpiredSessions } from './support/expiredSessions.js';
import { API, api, startTestServer, type TestServer } from './support/server.js';
import { waitFor } from './support/waitFor.js';

const COUNT = 300;

async function sessionStates(server: TestServer, ids: readonly string[]): Promise<Record<string, number>> {
  const metadata = await openMetadataStore(storageOf(server));
  try {
    const counts: Record<string, number> = {};
    for (const id of ids) {
      const session = await metadata.sessions.getSession(id);
      const key = `${session?.state}${session?.partsReleased ? ' released' : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  } finally {
    await metadata.close();
  }
}

async function stagedUploadCount(server: TestServer): Promise<number> {
  const inventory = await openBlobInventory(storageOf(server));
  try {
    let count = 0;
    for await (const _upload of inventory.uploads()) count += 1;
    return count;
  } finally {
    inventory.close?.();
  }
}

for (const backend of ['embedded', 'scale-out'] as Backend[]) {
  describe(`a start with ${COUNT} upload sessions expired meanwhile (${backend})`, () => {
    it('serves at once, refuses an expired session as expired, sweeps them all in the background and stops cleanly', async () => {
      const first = await startTestServer({ backend: await provisionBackend(backend) });
      let second: TestServer | undefined;
      let locker: pg.Client | undefined;
      try {
        assert.equal(await first.stop(), 0);
        const metadata = await openMetadataStore(storageOf(first));
        const adminId = (await metadata.principals.findUserByName('admin'))!.id;
        await metadata.close();
        const ids = await storeExpiredSessions(first, { ownerId: adminId, count: COUNT });
        assert.equal(await stagedUploadCount(first), COUNT);

        const databaseUrl = first.backend.args[first.backend.args.indexOf('--database-url') + 1];
        if (backend === 'scale-out') {
          // Reads go on; the sweep's UPDATE waits for this transaction.
          locker = new pg.Client({ connectionString: databaseUrl });
          await locker.connect();
          await locker.query('BEGIN');
          await locker.query('LOCK TABLE upload_sessions IN SHARE MODE');
        }
        // A short TTL makes the sweep's period short (a quarter of it), should a sweep fail.
        second = await startTestServer({ dataDir: first.dataDir, backend: first.backend, args: ['--session-ttl-ms', '2000'], startTimeoutMs: 30_000 });
        const health = await fetch(`${second.url}/healthz`);
        assert.equal(health.status, 200, await health.text());
        if (locker) {
          assert.deepEqual(await sessionStates(second, ids), { OPEN: COUNT }, 'serving while the sweep has expired nothing yet');
          await locker.query('ROLLBACK');
        }

        // Swept or not yet, an expired session takes no part.
        const last = ids[ids.length - 1];
        const part = await api(second, second.adminToken, `${API}/multipart/${last}/part/1`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: 'too late',
        });
        assert.equal(part.status, 409, await part.clone().text());
        assert.match(await part.text(), /expired/);

        await waitFor(async () => (await sessionStates(second!, ids))['EXPIRED released'] === COUNT, {
          what: 'the sweep to expire every session and remove its parts',
          timeoutMs: 120_000,
          intervalMs: 200,
        });
        assert.equal(await stagedUploadCount(second), 0);
        assert.equal(await second.stop(), 0);
      } finally {
        await locker?.end().catch(() => undefined);
        await second?.kill();
        await first.cleanup();
        await first.backend.release();
      }
    });
  });
}
