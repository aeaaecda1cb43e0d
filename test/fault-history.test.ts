// Issue 16 item 5: the randomized fault history ("Jepsen-lite", test/fault-history/history.ts),
// two minutes of faults here; `npm run soak -- --minutes N` runs it longer. The seed is printed;
// DATAFILES_FAULT_SEED replays its choices, DATAFILES_FAULT_MINUTES changes the length.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFaultHistory } from './fault-history/history.js';
import { seedFrom } from './fault-history/seeded.js';

describe('the randomized fault history (three servers, PostgreSQL and radosgw frozen, servers killed)', () => {
  it('loses no acknowledged write, shows no half write, leaves no orphan, and answers only 503s', { timeout: 15 * 60_000 }, async () => {
    const minutes = Number(process.env.DATAFILES_FAULT_MINUTES ?? '2');
    const result = await runFaultHistory({ seed: seedFrom(process.env), durationMs: minutes * 60_000 });
    assert.ok(
      Object.values(result.faults).every((count) => count > 0),
      `every kind of fault was injected: ${JSON.stringify(result.faults)}`,
    );
    assert.ok(
      Object.values(result.operations).every((count) => count > 0),
      `every kind of operation ran: ${JSON.stringify(result.operations)}`,
    );
    assert.deepEqual(result.violations, [], result.report);
  });
});
