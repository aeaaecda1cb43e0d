// The worker pool's failure policy (hashWorkerHandle.ts): a worker that dies fails the digests it
// was computing with HashingFailed, at once (no hang), and the pool replaces it; a pool whose
// threads fail to start falls back to this thread and leaves no thread behind.
import assert from 'node:assert/strict';
import { spawn as spawnProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { HashingFailed } from '../../core/ports/hasher.js';
import { chunksOf, expected, feed } from './hasher.contract.js';
import { WorkerHasher } from './workerHasher.js';

const MiB = 1024 * 1024;

/** Rejects if `promise` takes longer than `ms` (a hang is the bug these tests look for). */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Starts threads as the pool would, failing the `failAt`-th start; counts starts and exits. */
function countingSpawn(failAt = Infinity) {
  const counts = { started: 0, exited: 0, attempts: 0 };
  const exits: Promise<void>[] = [];
  const spawn = (module: URL, options: WorkerOptions) => {
    counts.attempts += 1;
    if (counts.attempts === failAt) throw new Error('no more threads (test)');
    const worker = new Worker(module, options);
    counts.started += 1;
    exits.push(new Promise((resolve) => worker.once('exit', () => resolve())));
    worker.once('exit', () => (counts.exited += 1));
    return worker;
  };
  return { counts, spawn, allExited: () => Promise.all(exits) };
}

describe('WorkerHasher when a worker dies', () => {
  it('fails the stream in flight with HashingFailed, then serves the next one on a new worker', async () => {
    const { counts, spawn, allExited } = countingSpawn();
    const pool = new WorkerHasher({ maxWorkers: 2, spawn });
    try {
      const chunks = chunksOf(4 * MiB);
      const stream = pool.stream(['md5', 'sha256']);
      await feed(stream, chunks.slice(0, chunks.length / 2));
      assert.equal(pool.threads.length, 2);
      await pool.threads[0].terminate();
      const rest = (async () => {
        await feed(stream, chunks.slice(chunks.length / 2));
        return stream.finish();
      })();
      await assert.rejects(within(10_000, rest), (error) => error instanceof HashingFailed && /exited with code \d+/.test(error.message));
      const again = await within(10_000, (await feed(pool.stream(['md5', 'sha256']), chunks)).finish());
      assert.deepEqual(again, expected(chunks));
      assert.equal(pool.threads.length, 2, 'the dead worker was replaced');
      assert.equal(counts.started, 3);
    } finally {
      await pool.close();
    }
    await within(10_000, allExited());
  });

  it('fails a running digest whose worker died, and starts new ones on a live worker', async () => {
    const pool = new WorkerHasher({ maxWorkers: 2 });
    try {
      const chunks = chunksOf(3 * MiB);
      const running = await feed(pool.running(), chunks);
      const copy = running.copy();
      await Promise.all(pool.threads.map((worker) => worker.terminate()));
      await assert.rejects(within(10_000, running.digest()), HashingFailed);
      await assert.rejects(within(10_000, copy.digest()), HashingFailed);
      await assert.rejects(within(10_000, Promise.resolve(running.update(chunks[0]))), HashingFailed);
      running.dispose();
      copy.dispose();
      const fresh = await feed(pool.running(), chunks);
      assert.deepEqual(await within(10_000, fresh.digest()), expected(chunks));
      fresh.dispose();
    } finally {
      await pool.close();
    }
  });

  it('fails the digest of a worker that throws, naming what it threw', async () => {
    const { spawn, allExited } = countingSpawn();
    const pool = new WorkerHasher({ maxWorkers: 2, spawn, workerModule: new URL('../../../test/support/throwingHashWorker.ts', import.meta.url) });
    try {
      const stream = pool.stream(['md5', 'sha256']);
      const hashing = (async () => {
        await feed(stream, chunksOf(2 * MiB));
        return stream.finish();
      })();
      await assert.rejects(within(10_000, hashing), (error) => error instanceof HashingFailed && /the test worker blew up/.test(error.message));
      const running = pool.running();
      await assert.rejects(within(10_000, running.digest()), /the test worker blew up/);
      running.dispose();
    } finally {
      await pool.close();
    }
    await within(10_000, allExited());
  });
});

describe('WorkerHasher when threads fail to start halfway', () => {
  it('hashes on this thread, and leaves the thread it did start idle, then stops it on close', async () => {
    const { counts, spawn, allExited } = countingSpawn(2);
    const fallbacks: unknown[] = [];
    const pool = new WorkerHasher({ maxWorkers: 2, spawn, onFallback: (error) => fallbacks.push(error) });
    const chunks = chunksOf(2 * MiB);
    assert.deepEqual(await within(10_000, (await feed(pool.stream(['md5', 'sha256']), chunks)).finish()), expected(chunks));
    assert.equal(fallbacks.length, 1);
    assert.equal(counts.started, 1);
    assert.deepEqual(
      pool.threads.map((worker) => [worker.busy, worker.load]),
      [[false, 0]],
      'the first thread holds nothing of the stream that could not start',
    );
    await pool.close();
    await within(10_000, allExited());
    assert.equal(counts.exited, counts.started);
  });

  it('gives a running digest on this thread, dropping the state it had started', async () => {
    const { spawn, allExited } = countingSpawn(2);
    const pool = new WorkerHasher({ maxWorkers: 2, spawn });
    const chunks = chunksOf(2 * MiB);
    const running = await feed(pool.running(), chunks);
    assert.deepEqual(await running.digest(), expected(chunks));
    running.dispose();
    assert.deepEqual(
      pool.threads.map((worker) => worker.load),
      [0],
    );
    await pool.close();
    await within(10_000, allExited());
  });

  it('lets the process exit on its own: no thread or port is left holding it', async () => {
    const pool = new URL('./workerHasher.ts', import.meta.url).href;
    const script = `
      import { Worker } from 'node:worker_threads';
      import { WorkerHasher } from ${JSON.stringify(pool)};
      let attempts = 0;
      const spawn = (module, options) => { if (++attempts >= 2) throw new Error('no more threads'); return new Worker(module, options); };
      const hasher = new WorkerHasher({ maxWorkers: 2, spawn });
      const stream = hasher.stream(['md5', 'sha256']);
      await stream.update(new Uint8Array(2 * 1024 * 1024));
      const running = hasher.running();
      await running.update(new Uint8Array(3 * 1024 * 1024));
      console.log(JSON.stringify({ ...(await stream.finish()), running: await running.digest(), threads: hasher.threads.length }));
    `;
    const child = spawnProcess(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    const code = await within(30_000, new Promise<number | null>((resolve) => child.once('exit', resolve))).finally(() => child.kill());
    assert.equal(code, 0);
    const answer = JSON.parse(output) as { md5: string; threads: number };
    assert.equal(answer.md5, expected([new Uint8Array(2 * 1024 * 1024)]).md5);
    assert.equal(answer.threads, 1);
  });
});
