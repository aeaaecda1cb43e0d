// The event loop's side of one hashing worker thread (hashWorker.ts): starting it, talking to it,
// and the one policy for a worker that dies (docs/decisions.md 71). A worker that exits or throws
// fails, at once and with HashingFailed, every digest it was computing (rings and running states
// alike), wakes every producer waiting for it to make room, and is never used again: the pool
// (workerHasher.ts) starts another for the next digest. Nothing waits on a dead worker, so
// nothing hangs.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort, type WorkerOptions } from 'node:worker_threads';
import { HashingFailed, type DigestAlgorithm } from '../../core/ports/hasher.js';
import { BELL_BYTES, BELL_COUNT, BELL_SLEEPING, type FromWorker, type HashWorkerData, type ToWorker } from './workerProtocol.js';

/** Starts a worker thread (tests replace it, to make a start fail). */
export type SpawnWorker = (module: URL, options: WorkerOptions) => Worker;
export const spawnWorker: SpawnWorker = (module, options) => new Worker(module, options);

/**
 * The worker's module: hashWorker.js beside this file when it runs compiled (dist/), else
 * hashWorker.ts, when it runs from the sources through tsx (the tests, `npm run bench`).
 */
export function defaultWorkerModule(): URL {
  const compiled = new URL('./hashWorker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : new URL('./hashWorker.ts', import.meta.url);
}

/**
 * What a thread is started with. A worker does not inherit the tsx loader its parent runs under
 * (Node 20 does not apply `--import` hooks to worker threads), so a TypeScript module is loaded
 * by a two-line entry that registers tsx in the thread first and then imports it.
 */
export function workerEntry(module: URL): URL {
  if (!module.pathname.endsWith('.ts')) return module;
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = `import { register } from ${JSON.stringify(tsx)};\nregister();\nawait import(${JSON.stringify(module.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/** Running-state batches: the unit in which bytes are transferred to a worker. */
export const BATCH_BYTES = 1024 * 1024;
/** A worker this far behind on running states makes `update` wait. */
const MAX_BYTES_BEHIND = 8 * 1024 * 1024;
/** Batches kept for reuse (about what a worker may be behind). */
const SPARE_BATCHES = 8;

/** A ring's consumer, told how it ended. */
export interface RingConsumer {
  finished(hex: string): void;
  failed(error: HashingFailed): void;
}

export class HashWorker {
  readonly thread: Worker;
  private readonly port: MessagePort;
  private readonly bell = new Int32Array(new SharedArrayBuffer(BELL_BYTES));
  private nextId = 1;
  private readonly rings = new Map<number, RingConsumer>();
  private readonly requests = new Map<number, { resolve(hex: string): void; reject(error: Error): void }>();
  private bytesBehind = 0;
  private catchUp: Array<{ resolve(): void; reject(error: Error): void }> = [];
  private readonly spareBatches: ArrayBuffer[] = [];
  private referenced = false;
  /** Sum of the relative costs of the work attached now (to spread work over the pool). */
  load = 0;
  failure: HashingFailed | undefined;

  constructor(module: URL, spawn: SpawnWorker) {
    const channel = new MessageChannel();
    const workerData: HashWorkerData = { port: channel.port2, bell: this.bell.buffer as SharedArrayBuffer };
    try {
      this.thread = spawn(workerEntry(module), {
        name: 'datafiles-hash',
        workerData,
        transferList: [channel.port2],
        // The worker only hashes: a small heap is plenty.
        resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
      });
    } catch (error) {
      channel.port1.close();
      channel.port2.close();
      throw error;
    }
    this.port = channel.port1;
    this.port.on('message', (message: FromWorker) => this.receive(message));
    this.thread.on('error', (error) => this.fail(`it threw: ${error.message}`, error));
    this.thread.on('exit', (code) => this.fail(`it exited with code ${code}`));
    // An idle worker never keeps the process alive; one with work outstanding does (holdOpen).
    this.thread.unref();
    this.port.unref();
  }

  attachRing(input: { ring: SharedArrayBuffer; capacity: number; slot: number; algorithm: DigestAlgorithm; consumer: RingConsumer }): number {
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    this.rings.set(id, input.consumer);
    this.post({ op: 'attach', id, ring: input.ring, capacity: input.capacity, slot: input.slot, algorithm: input.algorithm });
    return id;
  }

  detachRing(id: number): void {
    if (this.rings.delete(id)) this.post({ op: 'detach', id });
  }

  createState(algorithm: DigestAlgorithm): number {
    const id = this.nextId++;
    this.post({ op: 'create', id, algorithm });
    return id;
  }

  copyState(from: number): number {
    const id = this.nextId++;
    this.post({ op: 'copy', id, from });
    return id;
  }

  dropState(id: number): void {
    this.post({ op: 'drop', id });
  }

  takeBatch(): ArrayBuffer {
    return this.spareBatches.pop() ?? new ArrayBuffer(BATCH_BYTES);
  }

  returnBatch(batch: ArrayBuffer): void {
    if (this.spareBatches.length < SPARE_BATCHES) this.spareBatches.push(batch);
  }

  /** Feeds `length` bytes of `batch` (transferred: the caller lets go of it) to a running state. */
  updateState(id: number, batch: ArrayBuffer, length: number): void | Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.bytesBehind += length;
    this.post({ op: 'update', id, buffer: batch, length }, [batch]);
    if (this.bytesBehind <= MAX_BYTES_BEHIND) return;
    return new Promise<void>((resolve, reject) => this.catchUp.push({ resolve, reject }));
  }

  digestState(id: number): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    const request = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.requests.set(request, { resolve, reject });
      this.post({ op: 'digest', id, request });
    });
  }

  /**
   * Tells the worker there is news, waking it only if it sleeps (a futex call per chunk would cost
   * more than the copy). If it is about to sleep, the bumped counter stops it.
   */
  ring(): void {
    Atomics.add(this.bell, BELL_COUNT, 1);
    if (Atomics.load(this.bell, BELL_SLEEPING) === 1) Atomics.notify(this.bell, BELL_COUNT);
  }

  /** Whether a digest, or bytes, are outstanding. */
  get busy(): boolean {
    return this.rings.size > 0 || this.requests.size > 0 || this.bytesBehind > 0;
  }

  terminate(): Promise<number> {
    return this.thread.terminate();
  }

  private post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    if (this.failure) return;
    this.port.postMessage(message, transfer);
    this.ring();
    this.holdOpen();
  }

  private receive(message: FromWorker): void {
    if (message.op === 'finished') {
      const consumer = this.rings.get(message.id);
      this.rings.delete(message.id);
      consumer?.finished(message.hex);
    } else if (message.op === 'ack') {
      this.bytesBehind -= message.length;
      if (message.buffer.byteLength === BATCH_BYTES) this.returnBatch(message.buffer);
      if (this.bytesBehind <= MAX_BYTES_BEHIND / 2) {
        const waiting = this.catchUp;
        this.catchUp = [];
        for (const waiter of waiting) waiter.resolve();
      }
    } else {
      const request = this.requests.get(message.request);
      this.requests.delete(message.request);
      if (message.hex !== undefined) request?.resolve(message.hex);
      else request?.reject(new HashingFailed('A hashing worker lost a running hash state (a bug); send the upload again.'));
    }
    this.holdOpen();
  }

  /** Keeps the process alive while digests or bytes are outstanding, not longer. */
  private holdOpen(): void {
    const busy = this.busy && !this.failure;
    if (busy === this.referenced) return;
    this.referenced = busy;
    if (busy) this.port.ref();
    else this.port.unref();
  }

  private fail(reason: string, cause?: Error): void {
    if (this.failure) return;
    this.failure = new HashingFailed(`A hashing worker thread stopped (${reason}) while it hashed this upload, so it was not stored; send it again.`, {
      cause,
    });
    const failure = this.failure;
    const rings = [...this.rings.values()];
    const requests = [...this.requests.values()];
    const waiting = this.catchUp;
    this.rings.clear();
    this.requests.clear();
    this.catchUp = [];
    this.holdOpen();
    this.port.close();
    for (const consumer of rings) consumer.failed(failure);
    for (const request of requests) request.reject(failure);
    for (const waiter of waiting) waiter.reject(failure);
  }
}
