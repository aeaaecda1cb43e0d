// MD5 and SHA-256 of a byte stream, computed beside the event loop (docs/history.md, issue 6).
//
// MD5 is inherently serial and costs about as much CPU per byte as everything else an upload does
// (parsing, SHA-256, writing) put together, so hashing on the event loop makes one core the
// ceiling. Here each algorithm of a stream is hashed by a worker thread of a small shared pool,
// MD5 and SHA-256 on different workers, while the event loop goes on parsing and writing.
//
// Bytes reach the workers through a ring buffer in shared memory, one per stream: the event loop
// copies each chunk in (a memcpy, about 0.1 s per GiB) and advances a "written" counter; each
// worker advances its own "consumed" counter as it hashes. No message per chunk, no allocation per
// chunk: a worker that has nothing to do sleeps on a futex (Atomics.wait) and is woken when bytes
// arrive. Memory is bounded by the ring (RING_BYTES per stream in flight): when a worker falls
// behind, update() returns a promise that settles when there is room again, so a slow worker
// slows the upload (backpressure) rather than letting bytes pile up.
//
// Small streams never touch the pool: the first SMALL_STREAM_BYTES are only remembered, and a
// stream that ends within them is hashed right here, saving a round trip to the workers.
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

export type DigestAlgorithm = 'md5' | 'sha256';

/** Lower-case hex digests by algorithm. */
export type Digests = Record<DigestAlgorithm, string>;

export interface DigestStream {
  /**
   * Feeds bytes (the chunk is copied, so the caller may reuse it). A returned promise asks the
   * caller to wait: it must settle before the next call. Never throws: a failed stream (a worker
   * that died) answers with a rejected promise, so callers handle one outcome, not two.
   */
  update(chunk: Uint8Array): void | Promise<void>;
  /** Ends the stream: the digests of every byte fed. */
  finish(): Promise<Digests>;
  /** Gives the stream up (a failed upload); its resources are released. */
  abort(): void;
}

/**
 * Bytes of a stream in flight between the event loop and its workers. A power of two. 1 MiB is as
 * fast as 4 MiB here (workers take 256 KiB at a time) and keeps 4 concurrent uploads within the
 * issue's memory budget.
 */
export const RING_BYTES = 1024 * 1024;
/** Streams no longer than this are hashed on the calling thread. */
export const SMALL_STREAM_BYTES = 256 * 1024;
/** A worker hashes this much of one stream before looking at the others (and publishing progress). */
const STEP_BYTES = 256 * 1024;
/**
 * A sleeping worker is woken once this much is waiting for it, not for every chunk: a worker
 * faster than the upload (SHA-256 usually is) would otherwise sleep and wake per 64 KiB chunk.
 */
const WAKE_BYTES = 256 * 1024;
const DATA_OFFSET = 64;
/** Int32 slots of a ring's header. */
const WRITTEN = 0;
const CONSUMED = 1; // + consumer slot (0 or 1)
const ENDED = 8;
const PRODUCER_WAITING = 9; // + consumer slot: the event loop waits for this consumer to make room
/** Int32 slots of a worker's bell: a counter bumped to wake it, and whether it sleeps. */
const BELL_COUNT = 0;
const BELL_SLEEPING = 1;
/** Relative CPU cost per byte, to spread streams over the workers. */
const WEIGHT: Record<DigestAlgorithm, number> = { md5: 2.3, sha256: 1 };

// The worker's whole program: a classic script evaluated from this string, so that it needs no
// file beside the compiled code (the same source runs under tsx and from dist/).
const WORKER_SOURCE = `
'use strict';
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const port = workerData.port;
const bell = new Int32Array(workerData.bell);
const STEP = ${STEP_BYTES};
const tasks = new Map();
function control(message) {
  if (message.op === 'attach') {
    tasks.set(message.key, {
      key: message.key,
      slot: message.slot,
      hash: createHash(message.algorithm),
      header: new Int32Array(message.ring, 0, ${DATA_OFFSET / 4}),
      data: new Uint8Array(message.ring, ${DATA_OFFSET}, message.capacity),
      capacity: message.capacity,
      consumed: 0,
    });
  } else if (message.op === 'detach') {
    tasks.delete(message.key);
  }
}
for (;;) {
  const seen = Atomics.load(bell, ${BELL_COUNT});
  for (let received; (received = receiveMessageOnPort(port)) !== undefined; ) control(received.message);
  let worked = false;
  for (const task of tasks.values()) {
    // "ended" before "written": once ended is seen, written is final.
    const ended = Atomics.load(task.header, ${ENDED}) === 1;
    const written = Atomics.load(task.header, ${WRITTEN}) >>> 0;
    let available = (written - task.consumed) >>> 0;
    if (available > 0) {
      const length = Math.min(available, STEP);
      const start = task.consumed & (task.capacity - 1);
      const first = Math.min(length, task.capacity - start);
      task.hash.update(task.data.subarray(start, start + first));
      if (first < length) task.hash.update(task.data.subarray(0, length - first));
      task.consumed = (task.consumed + length) >>> 0;
      Atomics.store(task.header, ${CONSUMED} + task.slot, task.consumed | 0);
      if (Atomics.load(task.header, ${PRODUCER_WAITING} + task.slot) === 1) Atomics.notify(task.header, ${CONSUMED} + task.slot);
      available -= length;
      worked = true;
    }
    if (available === 0 && ended) {
      tasks.delete(task.key);
      port.postMessage({ op: 'digest', key: task.key, hex: task.hash.digest('hex') });
    }
  }
  if (!worked) {
    // Announced before the wait, so that a producer bumping the counter after this point knows to wake us.
    Atomics.store(bell, ${BELL_SLEEPING}, 1);
    Atomics.wait(bell, ${BELL_COUNT}, seen, 1000);
    Atomics.store(bell, ${BELL_SLEEPING}, 0);
  }
}
`;

/** Atomics.waitAsync (Node 16+; its type is in lib es2024, newer than this project's). */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

interface Pending {
  resolve(hex: string): void;
  reject(error: Error): void;
  /** Called if the worker dies, to wake a producer waiting for room. */
  onFailure(error: Error): void;
}

class HashWorker {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly bell = new Int32Array(new SharedArrayBuffer(8));
  private readonly pending = new Map<string, Pending>();
  /** Sum of the weights of the streams attached now. */
  load = 0;
  failure: Error | undefined;

  constructor() {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      name: 'datafiles-digest',
      workerData: { port: channel.port2, bell: this.bell.buffer },
      transferList: [channel.port2],
      // The worker only hashes: a small heap is plenty.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    this.worker.unref();
    this.port.unref();
    this.port.on('message', (message: { op: 'digest'; key: string; hex: string }) => {
      const pending = this.pending.get(message.key);
      this.forget(message.key);
      pending?.resolve(message.hex);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      this.port.unref();
      for (const pending of waiting) {
        pending.reject(this.failure);
        pending.onFailure(this.failure);
      }
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`a hashing worker stopped (exit code ${code})`)));
  }

  attach(input: { key: string; ring: SharedArrayBuffer; capacity: number; slot: number; algorithm: DigestAlgorithm; pending: Pending }): void {
    if (this.failure) throw this.failure;
    this.pending.set(input.key, input.pending);
    // A digest still to come keeps the process alive (a CLI, a test), and only then.
    if (this.pending.size === 1) this.port.ref();
    this.port.postMessage({ op: 'attach', key: input.key, ring: input.ring, capacity: input.capacity, slot: input.slot, algorithm: input.algorithm });
    this.ring();
  }

  detach(key: string): void {
    this.forget(key);
    if (this.failure) return;
    this.port.postMessage({ op: 'detach', key });
    this.ring();
  }

  private forget(key: string): void {
    if (this.pending.delete(key) && this.pending.size === 0) this.port.unref();
  }

  /**
   * Tells the worker there is news, waking it only if it sleeps (a futex call per chunk would cost
   * more than the copy). If it is about to sleep, the bumped counter stops it.
   */
  ring(): void {
    Atomics.add(this.bell, BELL_COUNT, 1);
    if (Atomics.load(this.bell, BELL_SLEEPING) === 1) Atomics.notify(this.bell, BELL_COUNT);
  }
}

let pool: HashWorker[] = [];
let nextKey = 1;
/** Rings whose streams finished cleanly (no worker touches them any more), ready for reuse. */
const spareRings: SharedArrayBuffer[] = [];
const MAX_SPARE_RINGS = 4;

function poolSize(): number {
  return Math.max(2, Math.min(8, availableParallelism()));
}

/** The least loaded live worker, other than `except`; the pool grows to poolSize() on demand. */
function pickWorker(except?: HashWorker): HashWorker {
  pool = pool.filter((worker) => !worker.failure);
  const candidates = pool.filter((worker) => worker !== except);
  const idle = candidates.find((worker) => worker.load === 0);
  if (idle) return idle;
  if (pool.length < poolSize()) {
    const worker = new HashWorker();
    pool.push(worker);
    return worker;
  }
  const pickFrom = candidates.length > 0 ? candidates : pool;
  return pickFrom.reduce((best, worker) => (worker.load < best.load ? worker : best));
}

/** A stream hashed by the pool's workers through a shared ring. */
class RingDigest implements DigestStream {
  private readonly ring: SharedArrayBuffer;
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly capacity = RING_BYTES;
  private written = 0;
  /** Bytes written since the workers were last rung. */
  private unannounced = 0;
  private readonly consumers: { slot: number; algorithm: DigestAlgorithm; worker: HashWorker; key: string; done: Promise<string>; finished: boolean }[] = [];
  private failure: Error | undefined;
  private released = false;

  constructor(algorithms: readonly DigestAlgorithm[]) {
    this.ring = spareRings.pop() ?? new SharedArrayBuffer(DATA_OFFSET + RING_BYTES);
    this.header = new Int32Array(this.ring, 0, DATA_OFFSET / 4);
    this.header.fill(0);
    this.data = new Uint8Array(this.ring, DATA_OFFSET, this.capacity);
    // Heaviest first, each on a different worker where the pool has enough.
    const ordered = [...algorithms].sort((a, b) => WEIGHT[b] - WEIGHT[a]);
    const used: HashWorker[] = [];
    ordered.forEach((algorithm, slot) => {
      const worker = pickWorker(used[used.length - 1]);
      used.push(worker);
      worker.load += WEIGHT[algorithm];
      const key = `${nextKey++}`;
      let resolveDone!: (hex: string) => void;
      let rejectDone!: (error: Error) => void;
      const done = new Promise<string>((resolve, reject) => {
        resolveDone = resolve;
        rejectDone = reject;
      });
      done.catch(() => undefined); // Observed through finish(); an aborted stream never asks.
      const consumer = { slot, algorithm, worker, key, done, finished: false };
      this.consumers.push(consumer);
      worker.attach({
        key,
        ring: this.ring,
        capacity: this.capacity,
        slot,
        algorithm,
        pending: {
          resolve: (hex) => {
            consumer.finished = true;
            worker.load -= WEIGHT[algorithm];
            resolveDone(hex);
          },
          reject: rejectDone,
          onFailure: (error) => {
            this.failure ??= error;
            // Wakes update() if it waits for room this worker will never make.
            Atomics.notify(this.header, CONSUMED + slot);
          },
        },
      });
    });
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

  async finish(): Promise<Digests> {
    if (this.failure) throw this.failure;
    Atomics.store(this.header, ENDED, 1);
    this.ringBells();
    const hexes = await Promise.all(this.consumers.map((consumer) => consumer.done));
    const digests = {} as Digests;
    this.consumers.forEach((consumer, index) => (digests[consumer.algorithm] = hexes[index]));
    // Every worker has let go of the ring: it can serve another stream.
    if (!this.released) {
      this.released = true;
      if (spareRings.length < MAX_SPARE_RINGS) spareRings.push(this.ring);
    }
    return digests;
  }

  abort(): void {
    if (this.released) return;
    this.released = true;
    for (const consumer of this.consumers) {
      if (consumer.finished) continue;
      consumer.finished = true;
      consumer.worker.load -= WEIGHT[consumer.algorithm];
      consumer.worker.detach(consumer.key);
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

/** A stream hashed on this thread. */
class LocalDigest implements DigestStream {
  private readonly hashes: [DigestAlgorithm, Hash][];

  constructor(algorithms: readonly DigestAlgorithm[]) {
    this.hashes = algorithms.map((algorithm) => [algorithm, createHash(algorithm)]);
  }

  update(chunk: Uint8Array): void {
    for (const [, hash] of this.hashes) hash.update(chunk);
  }

  async finish(): Promise<Digests> {
    const digests = {} as Digests;
    for (const [algorithm, hash] of this.hashes) digests[algorithm] = hash.digest('hex');
    return digests;
  }

  abort(): void {}
}

/**
 * Hashes on this thread until SMALL_STREAM_BYTES have passed, then hands over to the pool: the
 * chunks seen so far are only remembered (not hashed) until then, so nothing is hashed twice.
 */
class AdaptiveDigest implements DigestStream {
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private pooled: DigestStream | undefined;

  constructor(private readonly algorithms: readonly DigestAlgorithm[]) {}

  update(chunk: Uint8Array): void | Promise<void> {
    if (this.pooled) return this.pooled.update(chunk);
    // Copied: the caller may reuse its chunk once update returns.
    this.held.push(Uint8Array.prototype.slice.call(chunk));
    this.heldBytes += chunk.byteLength;
    if (this.heldBytes <= SMALL_STREAM_BYTES) return;
    this.pooled = startPooledDigest(this.algorithms);
    return this.feedHeld(this.pooled);
  }

  async finish(): Promise<Digests> {
    if (this.pooled) return this.pooled.finish();
    const local = new LocalDigest(this.algorithms);
    for (const chunk of this.held) local.update(chunk);
    this.held = [];
    return local.finish();
  }

  abort(): void {
    this.held = [];
    this.pooled?.abort();
  }

  private async feedHeld(stream: DigestStream): Promise<void> {
    const held = this.held;
    this.held = [];
    for (const chunk of held) await stream.update(chunk);
  }
}

function startPooledDigest(algorithms: readonly DigestAlgorithm[]): DigestStream {
  try {
    return new RingDigest(algorithms);
  } catch {
    // No worker could be started (or one just failed): hash here rather than refuse the upload.
    return new LocalDigest(algorithms);
  }
}

export interface DigestOptions {
  /** 'pool' (the default): worker threads for anything but small streams; 'local': this thread. */
  engine?: 'pool' | 'local';
}

/** Starts hashing a stream of bytes with each of `algorithms`. */
export function startDigest(algorithms: readonly DigestAlgorithm[], options: DigestOptions = {}): DigestStream {
  if (options.engine === 'local') return new LocalDigest(algorithms);
  return new AdaptiveDigest(algorithms);
}
