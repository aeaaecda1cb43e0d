// A running MD5 + SHA-256 of a byte sequence that can be forked (`copy`) and read (`digest`)
// without ending it: what the whole-file hash of a multipart upload needs (wholeFileHasher.ts).
// The shared digest pool (content/digestPool.ts, which hashes each part) only hashes streams
// from start to end, so it cannot hold a state across parts or fork one; hence this.
// Two engines: in this thread (node:crypto), or in a small pool of worker threads, so that hashing
// a whole upload (MD5 alone costs seconds per GiB) runs beside the event loop instead of on it,
// MD5 on one worker and SHA-256 on another. Bytes are batched (1 MiB per algorithm) and the
// batches transferred, not copied again, then handed back
// for reuse once hashed; `update` returns a promise when a worker is more than a few MiB behind, so
// a slow worker slows the upload (backpressure) instead of queueing bytes in memory.
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Digests {
  /** Upper-case hex (docs/decisions.md 3). */
  sha256: string;
  md5: string;
}

export interface RunningDigest {
  /** Feeds bytes; a returned promise asks the caller to wait before feeding more. */
  update(chunk: Uint8Array): void | Promise<void>;
  /** An independent copy of the state so far. */
  copy(): RunningDigest;
  /** The digests of every byte fed so far; the state stays usable. */
  digest(): Promise<Digests>;
  /** Releases the state. */
  dispose(): void;
}

export type RunningDigestFactory = () => RunningDigest;

class LocalDigest implements RunningDigest {
  constructor(
    private readonly sha256: Hash = createHash('sha256'),
    private readonly md5: Hash = createHash('md5'),
  ) {}

  update(chunk: Uint8Array): void {
    this.sha256.update(chunk);
    this.md5.update(chunk);
  }

  copy(): RunningDigest {
    return new LocalDigest(this.sha256.copy(), this.md5.copy());
  }

  async digest(): Promise<Digests> {
    return { sha256: this.sha256.copy().digest('hex').toUpperCase(), md5: this.md5.copy().digest('hex').toUpperCase() };
  }

  dispose(): void {}
}

/** Hashing in this thread. */
export const localDigest: RunningDigestFactory = () => new LocalDigest();

// The worker's whole program (a classic script, so it needs no file next to the compiled code).
// Each state is one algorithm's: MD5 and SHA-256 of a digest live on different workers, so that
// they run in parallel (docs/history.md, issue 6: on one thread, the two made a serial chain of about 2 s per GiB
// that bounded a multipart upload).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const states = new Map();
parentPort.on('message', (message) => {
  const state = states.get(message.id);
  switch (message.op) {
    case 'create':
      states.set(message.id, createHash(message.algorithm));
      break;
    case 'copy': {
      const from = states.get(message.from);
      if (from) states.set(message.id, from.copy());
      break;
    }
    case 'update': {
      if (state) state.update(new Uint8Array(message.buffer, 0, message.length));
      parentPort.postMessage({ op: 'ack', length: message.length, buffer: message.buffer }, [message.buffer]);
      break;
    }
    case 'digest':
      parentPort.postMessage({ op: 'digest', request: message.request, hex: state ? state.copy().digest('hex').toUpperCase() : undefined });
      break;
    case 'drop':
      states.delete(message.id);
      break;
  }
});
`;

const BATCH_BYTES = 1024 * 1024;
/** A worker this far behind makes `update` wait. */
const MAX_BYTES_BEHIND = 8 * 1024 * 1024;
/** Batches kept for reuse per worker (about what it may be behind). */
const SPARE_BATCHES = 8;

type Algorithm = keyof Digests;
type WorkerMessage = { op: 'ack'; length: number; buffer: ArrayBuffer } | { op: 'digest'; request: number; hex?: string };

class HashWorker {
  private readonly worker: Worker;
  private bytesBehind = 0;
  private waitingForCatchUp: Array<() => void> = [];
  private readonly digestRequests = new Map<number, { resolve(hex: string): void; reject(error: Error): void }>();
  private nextRequest = 1;
  private nextStateId = 1;
  private readonly spareBatches: ArrayBuffer[] = [];
  private referenced = false;
  failure: Error | undefined;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, name: 'datafiles-hash' });
    this.worker.on('message', (message: WorkerMessage) => this.receive(message));
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const request of this.digestRequests.values()) request.reject(this.failure);
      this.digestRequests.clear();
      this.releaseWaiters();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the hashing worker exited (code ${code})`)));
    // After the listeners (attaching one refs the worker's port again): an idle hashing thread
    // never keeps the process alive; one with work outstanding does (see `holdOpen`).
    this.worker.unref();
  }

  /** Keeps the process alive while bytes or digests are outstanding, not longer. */
  private holdOpen(): void {
    const busy = this.bytesBehind > 0 || this.digestRequests.size > 0;
    if (busy === this.referenced || this.failure) return;
    this.referenced = busy;
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  newStateId(): number {
    return this.nextStateId++;
  }

  takeBatch(): Buffer {
    return Buffer.from(this.spareBatches.pop() ?? new ArrayBuffer(BATCH_BYTES));
  }

  returnBatch(batch: Buffer): void {
    if (this.spareBatches.length < SPARE_BATCHES) this.spareBatches.push(batch.buffer as ArrayBuffer);
  }

  post(message: object, transfer?: ArrayBuffer[]): void {
    if (this.failure) return;
    this.worker.postMessage(message, transfer);
  }

  send(id: number, batch: Buffer, length: number): void | Promise<void> {
    this.bytesBehind += length;
    this.post({ op: 'update', id, buffer: batch.buffer, length }, [batch.buffer as ArrayBuffer]);
    this.holdOpen();
    if (this.bytesBehind <= MAX_BYTES_BEHIND || this.failure) return;
    return new Promise<void>((resolve) => this.waitingForCatchUp.push(resolve));
  }

  digest(id: number): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    const request = this.nextRequest++;
    return new Promise<string>((resolve, reject) => {
      this.digestRequests.set(request, { resolve, reject });
      this.post({ op: 'digest', id, request });
      this.holdOpen();
    });
  }

  private receive(message: WorkerMessage): void {
    if (message.op === 'ack') {
      this.bytesBehind -= message.length;
      if (this.spareBatches.length < SPARE_BATCHES && message.buffer.byteLength === BATCH_BYTES) this.spareBatches.push(message.buffer);
      if (this.bytesBehind <= MAX_BYTES_BEHIND / 2) this.releaseWaiters();
      this.holdOpen();
      return;
    }
    const request = this.digestRequests.get(message.request);
    this.digestRequests.delete(message.request);
    this.holdOpen();
    if (!request) return;
    if (message.hex !== undefined) request.resolve(message.hex);
    else request.reject(new Error('the hashing worker lost a hash state'));
  }

  private releaseWaiters(): void {
    const waiting = this.waitingForCatchUp;
    this.waitingForCatchUp = [];
    for (const resolve of waiting) resolve();
  }
}

/** One algorithm's running hash, held by one worker. */
class WorkerHash {
  private batch: Buffer | undefined;
  private batchLength = 0;
  private disposed = false;

  private constructor(
    private readonly worker: HashWorker,
    private readonly id: number,
  ) {}

  static create(worker: HashWorker, algorithm: Algorithm): WorkerHash {
    const hash = new WorkerHash(worker, worker.newStateId());
    worker.post({ op: 'create', id: hash.id, algorithm });
    return hash;
  }

  update(chunk: Uint8Array): void | Promise<void> {
    let offset = 0;
    let wait: void | Promise<void> = undefined;
    while (offset < chunk.byteLength) {
      this.batch ??= this.worker.takeBatch();
      const copied = Math.min(chunk.byteLength - offset, BATCH_BYTES - this.batchLength);
      this.batch.set(chunk.subarray(offset, offset + copied), this.batchLength);
      this.batchLength += copied;
      offset += copied;
      if (this.batchLength === BATCH_BYTES) wait = this.flush() ?? wait;
    }
    return wait;
  }

  copy(): WorkerHash {
    // The batch is posted now; waiting for the worker to catch up is the writer's business.
    void this.flush();
    const copy = new WorkerHash(this.worker, this.worker.newStateId());
    this.worker.post({ op: 'copy', id: copy.id, from: this.id });
    return copy;
  }

  digest(): Promise<string> {
    void this.flush();
    return this.worker.digest(this.id);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.batch) this.worker.returnBatch(this.batch);
    this.batch = undefined;
    this.worker.post({ op: 'drop', id: this.id });
  }

  private flush(): void | Promise<void> {
    if (!this.batch || this.batchLength === 0) return;
    const batch = this.batch;
    const length = this.batchLength;
    this.batch = undefined;
    this.batchLength = 0;
    return this.worker.send(this.id, batch, length);
  }
}

/** MD5 and SHA-256 on two workers (each chunk is copied to both). */
class WorkerDigest implements RunningDigest {
  constructor(
    private readonly md5: WorkerHash,
    private readonly sha256: WorkerHash,
  ) {}

  update(chunk: Uint8Array): void | Promise<void> {
    const md5 = this.md5.update(chunk);
    const sha256 = this.sha256.update(chunk);
    if (md5 || sha256) return Promise.all([md5, sha256]).then(() => undefined);
  }

  copy(): RunningDigest {
    return new WorkerDigest(this.md5.copy(), this.sha256.copy());
  }

  async digest(): Promise<Digests> {
    const [md5, sha256] = await Promise.all([this.md5.digest(), this.sha256.digest()]);
    return { md5, sha256 };
  }

  dispose(): void {
    this.md5.dispose();
    this.sha256.dispose();
  }
}

let pool: HashWorker[] = [];
let nextWorker = 0;

function workerPoolSize(): number {
  return Math.max(2, Math.min(4, availableParallelism()));
}

/**
 * Hashing in the shared worker pool (started on first use; its threads never keep the process
 * alive), MD5 and SHA-256 of a digest on two different workers. A worker that died is replaced
 * for new states; states it held fail their digest, which the whole-file hasher answers by
 * hashing again.
 */
export const workerDigest: RunningDigestFactory = () => {
  pool = pool.filter((worker) => !worker.failure);
  while (pool.length < workerPoolSize()) pool.push(new HashWorker());
  const first = nextWorker++;
  return new WorkerDigest(WorkerHash.create(pool[first % pool.length], 'md5'), WorkerHash.create(pool[(first + 1) % pool.length], 'sha256'));
};
