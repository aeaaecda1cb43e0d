// docs/decisions.md 179: the server does not wait for its first session sweep, and stopping it
// cuts a sweep in progress short and waits for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SweepResult } from '../core/sessions/sessionSweep.js';
import { startSessionSweeper } from './sessionSweeper.js';
import { waitFor } from '../../test/support/waitFor.js';

/** A sweep that goes on until it is told to stop (thousands of sessions due). */
function endlessSweeps() {
  const calls: AbortSignal[] = [];
  return {
    calls,
    sessions: {
      sweepExpired: ({ signal }: { signal?: AbortSignal } = {}) =>
        new Promise<SweepResult>((resolve) => {
          calls.push(signal!);
          signal!.addEventListener('abort', () => resolve({ rolledBack: 0, expired: 100, released: 0 }), { once: true });
        }),
    },
  };
}

describe('the upload session sweeper', () => {
  it('starts its first sweep without waiting for it, and stop() ends it and waits', async () => {
    const sweeps = endlessSweeps();
    const logged: string[] = [];
    const sweeper = startSessionSweeper({ ...sweeps, ttlMs: 60_000, log: { info: (_object, message) => logged.push(message), warn() {} } });
    // Returned while the first sweep still runs: what the server does next is listen.
    await Promise.resolve();
    assert.equal(sweeps.calls.length, 1);
    assert.equal(sweeps.calls[0].aborted, false);
    await sweeper.stop();
    assert.equal(sweeps.calls[0].aborted, true, 'the sweep in progress was told to stop');
    assert.deepEqual(logged, ['expired idle upload sessions and removed their parts'], 'what it did before stopping is logged');
    await sweeper.idle();
    assert.equal(sweeps.calls.length, 1, 'nothing starts after stop()');
  });

  it('a failing sweep is logged, and the next one runs', async () => {
    let calls = 0;
    const warnings: string[] = [];
    const sweeper = startSessionSweeper({
      sessions: {
        sweepExpired: async () => {
          calls += 1;
          if (calls === 1) throw new Error('the database went away');
          return { rolledBack: 0, expired: 0, released: 0 };
        },
      },
      ttlMs: 1,
      log: { info() {}, warn: (_object, message) => warnings.push(message) },
    });
    await waitFor(() => calls >= 2, { what: 'the sweep after the failed one' });
    await sweeper.stop();
    assert.deepEqual(warnings, ['upload session sweep failed']);
  });
});
