// The pace of `datafiles verify --max-mib-per-second`: a reader ahead of "byte n is due at
// start + n / rate" waits exactly the difference; without a rate it never waits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pacer } from './pacer.js';

function fakeTime() {
  let now = 1_000;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

describe('Pacer', () => {
  it('holds a fast reader to the rate', async () => {
    const time = fakeTime();
    const pacer = new Pacer(time.clock, time.sleep, 1_000_000);
    for (let chunk = 0; chunk < 10; chunk += 1) await pacer.consumed(100_000);
    assert.equal(time.clock.now() - 1_000, 1_000, '1 MB at 1 MB/s takes a second');
    assert.equal(time.sleeps.length, 10);
  });

  it('lets a slow reader go on without waiting', async () => {
    const time = fakeTime();
    const pacer = new Pacer(time.clock, time.sleep, 1_000_000);
    for (let chunk = 0; chunk < 5; chunk += 1) {
      time.advance(200);
      await pacer.consumed(100_000);
    }
    assert.deepEqual(time.sleeps, []);
  });

  it('gives a reader that paused at most a second of credit', async () => {
    const time = fakeTime();
    const pacer = new Pacer(time.clock, time.sleep, 1_000_000);
    time.advance(60_000);
    for (let chunk = 0; chunk < 30; chunk += 1) await pacer.consumed(100_000);
    // 3 MB at 1 MB/s after the pause: the chunk read when it ended and one second's worth (1.1 MB)
    // go at once, the other 1.9 MB at the rate (without the bound, all 3 MB would go at once).
    assert.equal(time.clock.now() - 1_000 - 60_000, 1_900);
  });

  it('never waits without a rate', async () => {
    const time = fakeTime();
    const pacer = new Pacer(time.clock, time.sleep, undefined);
    await pacer.consumed(1e12);
    assert.deepEqual(time.sleeps, []);
  });
});
