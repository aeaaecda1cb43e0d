// One pass over a stream, hashed by worker threads beside the event loop (docs/history.md,
// issue 6). MD5 is inherently serial and costs about as much CPU per byte as everything else an
// upload does (parsing, SHA-256, writing) put together, so hashing on the event loop makes one
// core the ceiling. Here each algorithm of a stream is hashed by a worker of the pool, MD5 and
// SHA-256 on different workers, while the event loop goes on parsing and writing.
//
// Bytes reach the workers through a ring buffer in shared memory, one per stream (the layout is in
// workerProtocol.ts): the event loop copies each chunk in (a memcpy, about 0.1 s per GiB) and
// advances a "written" counter; each worker advances its own "consumed" counter as it hashes.
// Memory is bounded by the ring (RING_BYTES per stream in flight): when a worker falls behind,
// update() returns a promise that settles when there is room again, so a slow worker slows the
// upload (backpressure) rather than letting bytes pile up.
//
// Small streams never touch the pool: the first SMALL_STREAM_BYTES are only remembered, and a
// stream that ends within them is hashed right here, saving a round trip to the workers.
import { HashingFailed, type DigestAlgorithm, type Digests, type DigestStream } from '../../core/ports/hasher.js';
import type { HashWorker } from './hashWorkerHandle.js';
import { localHasher } from './localHasher.js';
import { CONSUMED, DATA_OFFSET, ENDED, PRODUCER_WAITING, WRITTEN } from './workerProtocol.js';

/**
 * Bytes of a stream in flight between the event loop and its workers. A power of two, twice
 * WAKE_BYTES so that the event loop goes on writing while a woken worker catches up; 4 concurrent
 * uploads still fit the memory budget of docs/history.md, issue 6 (docs/decisions.md 162).
 */
export const RING_BYTES = 2 * 1024 * 1024;
/** Streams no longer than this are hashed on the calling thread. */
export const SMALL_STREAM_BYTES = 256 * 1024;
/**
 * A sleeping worker is woken once this much is waiting for it, not for every chunk: a worker
 * faster than the upload (SHA-256 usually is) would otherwise sleep and wake per 64 KiB chunk.
 * Each wake is a futex call on both sides, costly in a virtual machine (docs/decisions.md 162).
 */
const WAKE_BYTES = 1024 * 1024;
/** Relative CPU cost per byte, to spread work over the workers. */
export const WEIGHT: Record<DigestAlgorithm, number> = { md5: 2.3, sha256: 1 };

/** What a stream needs of the pool (workerHasher.ts). */
export interface RingPool {
  /** The least loaded live worker, other than `except` if there is another; throws if none can be started. */
  pick(except?: HashWorker): HashWorker;
  takeRing(): SharedArrayBuffer;
  /** A ring no worker will touch again. */
  returnRing(ring: SharedArrayBuffer): void;
}

/** Atomics.waitAsync (Node 16+; its type is in lib es2024, newer than this project's). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

interface Consumer {
  slot: number;
  algorithm: DigestAlgorithm;
  worker: HashWorker;
  id: number;
  done: Promise<string>;
  settled: boolean;
}

/** A stream hashed by the pool's workers through a shared ring. */
class RingDigest<A extends DigestAlgorithm> implements DigestStream<A> {
  private readonly ring: SharedArrayBuffer;
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly capacity = RING_BYTES;
  private written = 0;
  /** Bytes written since the workers were last rung. */
  private unannounced = 0;
  private readonly consumers: Consumer[] = [];
  private failure: HashingFailed | undefined;
  private released = false;

  /** Throws, having let go of every worker it had attached, if a worker cannot be started. */
  constructor(
    algorithms: readonly A[],
    private readonly pool: RingPool,
  ) {
    this.ring = pool.takeRing();
    this.header = new Int32Array(this.ring, 0, DATA_OFFSET / 4);
    this.header.fill(0);
    this.data = new Uint8Array(this.ring, DATA_OFFSET, this.capacity);
    // Heaviest first, each on a different worker where the pool has enough.
    const ordered = [...algorithms].sort((a, b) => WEIGHT[b] - WEIGHT[a]);
    try {
      ordered.forEach((algorithm, slot) => this.attach(algorithm, slot));
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  private attach(algorithm: DigestAlgorithm, slot: number): void {
    const worker = this.pool.pick(this.consumers[this.consumers.length - 1]?.worker);
    let resolveDone!: (hex: string) => void;
    let rejectDone!: (error: Error) => void;
    const done = new Promise<string>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    done.catch(() => undefined); // Observed through finish(); an aborted stream never asks.
    const consumer: Consumer = { slot, algorithm, worker, id: 0, done, settled: false };
    const settle = () => {
      if (consumer.settled) return false;
      consumer.settled = true;
      worker.load -= WEIGHT[algorithm];
      return true;
    };
    consumer.id = worker.attachRing({
      ring: this.ring,
      capacity: this.capacity,
      slot,
      algorithm,
      consumer: {
        finished: (hex) => {
          settle();
          resolveDone(hex);
        },
        failed: (error) => {
          settle();
          this.failure ??= error;
          rejectDone(error);
          // Wakes update() if it waits for room this worker will never make.
          Atomics.notify(this.header, CONSUMED + slot);
        },
      },
    });
    worker.load += WEIGHT[algorithm];
    this.consumers.push(consumer);
  }

  update(chunk: Uint8Array): void | Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    let offset = 0;
    while (offset < chunk.byteLength) {
      const free = this.capacity - this.backlog();
      if (free === 0) {
        this.ringBells();
        const rest = chunk.subarray(offset);
        return this.roomFreed().then(() => this.update(rest));
      }
      const length = Math.min(free, chunk.byteLength - offset);
      const start = this.written & (this.capacity - 1);
      const first = Math.min(length, this.capacity - start);
      this.data.set(chunk.subarray(offset, offset + first), start);
      if (first < length) this.data.set(chunk.subarray(offset + first, offset + length), 0);
      this.written = (this.written + length) >>> 0;
      Atomics.store(this.header, WRITTEN, this.written | 0);
      offset += length;
      this.unannounced += length;
    }
    if (this.unannounced >= WAKE_BYTES) this.ringBells();
  }

  async finish(): Promise<Digests<A>> {
    if (this.failure) throw this.failure;
    Atomics.store(this.header, ENDED, 1);
    this.ringBells();
    const hexes = await Promise.all(this.consumers.map((consumer) => consumer.done));
    const digests = {} as Record<DigestAlgorithm, string>;
    this.consumers.forEach((consumer, index) => (digests[consumer.algorithm] = hexes[index]));
    // Every worker has let go of the ring: it can serve another stream.
    if (!this.released) {
      this.released = true;
      this.pool.returnRing(this.ring);
    }
    return digests as Digests<A>;
  }

  abort(): void {
    if (this.released) return;
    this.released = true;
    for (const consumer of this.consumers) {
      if (consumer.settled) continue;
      consumer.settled = true;
      consumer.worker.load -= WEIGHT[consumer.algorithm];
      consumer.worker.detachRing(consumer.id);
    }
    // The ring is not reused: a worker may still be reading it until it sees the detach.
  }

  /** Bytes written but not yet hashed by the slowest consumer. */
  private backlog(): number {
    let most = 0;
    for (const consumer of this.consumers) {
      const consumed = Atomics.load(this.header, CONSUMED + consumer.slot) >>> 0;
      most = Math.max(most, (this.written - consumed) >>> 0);
    }
    return most;
  }

  /** Settles once the slowest consumer has made progress (or failed). */
  private roomFreed(): Promise<void> {
    let slowest = this.consumers[0];
    let most = -1;
    for (const consumer of this.consumers) {
      const behind = (this.written - (Atomics.load(this.header, CONSUMED + consumer.slot) >>> 0)) >>> 0;
      if (behind > most) {
        most = behind;
        slowest = consumer;
      }
    }
    const index = CONSUMED + slowest.slot;
    const waiting = PRODUCER_WAITING + slowest.slot;
    // Announced before the last look, so that the worker, once it has made room, wakes us.
    Atomics.store(this.header, waiting, 1);
    const seen = Atomics.load(this.header, index);
    if ((this.written - (seen >>> 0)) >>> 0 < this.capacity || this.failure) {
      Atomics.store(this.header, waiting, 0);
      return this.failure ? Promise.reject(this.failure) : Promise.resolve();
    }
    const waited = waitAsync(this.header, index, seen);
    const woken = () => {
      Atomics.store(this.header, waiting, 0);
      if (this.failure) throw this.failure;
    };
    if (!waited.async) return Promise.resolve().then(woken);
    return waited.value.then(woken);
  }

  private ringBells(): void {
    this.unannounced = 0;
    for (const consumer of this.consumers) consumer.worker.ring();
  }
}

/**
 * Hashes on this thread until SMALL_STREAM_BYTES have passed, then hands over to the pool: the
 * chunks seen so far are only remembered (not hashed) until then, so nothing is hashed twice. If
 * no worker can be started, the stream is hashed here rather than refused.
 */
export class AdaptiveDigest<A extends DigestAlgorithm> implements DigestStream<A> {
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private pooled: DigestStream<A> | undefined;

  constructor(
    private readonly algorithms: readonly A[],
    private readonly pool: RingPool,
    private readonly onFallback: (error: unknown) => void,
  ) {}

  update(chunk: Uint8Array): void | Promise<void> {
    if (this.pooled) return this.pooled.update(chunk);
    // Copied: the caller may reuse its chunk once update returns.
    this.held.push(Uint8Array.prototype.slice.call(chunk));
    this.heldBytes += chunk.byteLength;
    if (this.heldBytes <= SMALL_STREAM_BYTES) return;
    this.pooled = this.startPooled();
    return this.feedHeld(this.pooled);
  }

  async finish(): Promise<Digests<A>> {
    if (this.pooled) return this.pooled.finish();
    const local = localHasher.stream(this.algorithms);
    for (const chunk of this.held) await local.update(chunk);
    this.held = [];
    return local.finish();
  }

  abort(): void {
    this.held = [];
    this.pooled?.abort();
  }

  private startPooled(): DigestStream<A> {
    try {
      return new RingDigest(this.algorithms, this.pool);
    } catch (error) {
      this.onFallback(error);
      return localHasher.stream(this.algorithms);
    }
  }

  private async feedHeld(stream: DigestStream<A>): Promise<void> {
    const held = this.held;
    this.held = [];
    for (const chunk of held) await stream.update(chunk);
  }
}
