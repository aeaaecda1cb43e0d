// How long `datafiles serve` takes to listen, and to finish its first upload session sweep, when
// the stores hold many sessions that expired while no server ran (docs/decisions.md 179):
//   node --import tsx bench/sessionSweepStart.ts [COUNT] [embedded|scale-out]
// Needs the built server (npm run build); scale-out needs PostgreSQL and the S3 server the tests use.
import { provisionBackend, type Backend } from '../test/support/backend.js';
import { storeExpiredSessions } from '../test/support/expiredSessions.js';
import { startTestServer } from '../test/support/server.js';
import { waitFor } from '../test/support/waitFor.js';

const count = Number(process.argv[2] ?? 5000);
const backend = (process.argv[3] ?? 'embedded') as Backend;

const first = await startTestServer({ backend: await provisionBackend(backend) });
try {
  await first.stop();
  const stored = Date.now();
  await storeExpiredSessions(first, { ownerId: 1, count });
  console.log(`stored ${count} expired sessions in ${Date.now() - stored} ms`);
  const started = Date.now();
  const second = await startTestServer({ dataDir: first.dataDir, backend: first.backend, startTimeoutMs: 600_000 });
  const listening = Date.now() - started;
  if (count > 0) {
    await waitFor(() => /expired idle upload sessions/.test(second.output()), { timeoutMs: 600_000, intervalMs: 20, what: 'the first sweep' });
    console.log(`${backend}: listening after ${listening} ms; first sweep done ${Date.now() - started} ms after the start`);
  } else console.log(`${backend}: listening after ${listening} ms (nothing to sweep)`);
  await second.kill();
} finally {
  await first.cleanup();
  await first.backend.release();
}
