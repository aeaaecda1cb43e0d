// The hashing engine of a running server: one pool of worker threads (hashWorker.ts) serving both
// kinds of digest the domain asks for (src/core/ports/hasher.ts): one-pass streams through shared
// rings (ringDigest.ts) and running states (workerRunning.ts). Workers start on first use, never
// keep the process alive when idle, and work goes to the least loaded one, MD5 and SHA-256 of one
// digest on different workers. A worker that dies fails the digests it held (hashWorkerHandle.ts)
// and the next digest starts a new one. If no worker can be started at all, digests are computed
// on the calling thread (localHasher.ts) rather than refused (docs/decisions.md 72).
import { availableParallelism } from 'node:os';
import type { DigestAlgorithm, DigestStream, Hasher, RunningDigest } from '../../core/ports/hasher.js';
import { defaultWorkerModule, HashWorker, spawnWorker, type SpawnWorker } from './hashWorkerHandle.js';
import { localHasher } from './localHasher.js';
import { AdaptiveDigest, RING_BYTES, type RingPool } from './ringDigest.js';
import { DATA_OFFSET } from './workerProtocol.js';
import { WorkerRunning } from './workerRunning.js';

export interface WorkerHasherOptions {
  /** Threads at most (default: the cores, between 4 and 8). */
  maxWorkers?: number;
  /** The worker's program (tests point it elsewhere). */
  workerModule?: URL;
  /** Starts a thread (tests make it fail). */
  spawn?: SpawnWorker;
  /** Told when a digest is computed on the calling thread because no worker could be started. */
  onFallback?: (error: unknown) => void;
}

/** Rings whose streams finished cleanly, kept for reuse. */
const MAX_SPARE_RINGS = 4;

export class WorkerHasher implements Hasher {
  private workers: HashWorker[] = [];
  private readonly spareRings: SharedArrayBuffer[] = [];
  private readonly maxWorkers: number;
  private readonly workerModule: URL;
  private readonly spawn: SpawnWorker;
  private readonly onFallback: (error: unknown) => void;
  private readonly ringPool: RingPool = {
    pick: (except) => this.pick(except),
    takeRing: () => this.spareRings.pop() ?? new SharedArrayBuffer(DATA_OFFSET + RING_BYTES),
    returnRing: (ring) => {
      if (this.spareRings.length < MAX_SPARE_RINGS) this.spareRings.push(ring);
    },
  };

  constructor(options: WorkerHasherOptions = {}) {
    // At least four, even on two cores: a multipart upload keeps the whole file's MD5 and SHA-256
    // on two workers and hashes its parts' SHA-256 beside them. With the parts on the worker that
    // holds the MD5 (the serial ceiling), that worker would be the bottleneck; with a thread
    // each, the kernel spreads the work over the cores (as the two pools this one replaced did,
    // with two threads each). Idle threads cost a few MiB and no CPU.
    this.maxWorkers = options.maxWorkers ?? Math.max(4, Math.min(8, availableParallelism()));
    this.workerModule = options.workerModule ?? defaultWorkerModule();
    this.spawn = options.spawn ?? spawnWorker;
    this.onFallback = options.onFallback ?? (() => undefined);
  }

  stream<A extends DigestAlgorithm>(algorithms: readonly A[]): DigestStream<A> {
    return new AdaptiveDigest(algorithms, this.ringPool, this.onFallback);
  }

  running(): RunningDigest {
    try {
      return WorkerRunning.start((except) => this.pick(except));
    } catch (error) {
      this.onFallback(error);
      return localHasher.running();
    }
  }

  /** The live worker threads (for tests and diagnostics). */
  get threads(): readonly HashWorker[] {
    return this.workers.filter((worker) => !worker.failure);
  }

  /** Stops every worker; digests in flight fail. The pool starts new workers if used again. */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  /** The least loaded live worker, other than `except`; the pool grows to maxWorkers on demand. */
  private pick(except?: HashWorker): HashWorker {
    this.workers = this.workers.filter((worker) => !worker.failure);
    const candidates = this.workers.filter((worker) => worker !== except);
    const idle = candidates.find((worker) => worker.load === 0);
    if (idle) return idle;
    if (this.workers.length < this.maxWorkers) {
      const worker = new HashWorker(this.workerModule, this.spawn);
      this.workers.push(worker);
      return worker;
    }
    const pickFrom = candidates.length > 0 ? candidates : this.workers;
    return pickFrom.reduce((best, worker) => (worker.load < best.load ? worker : best));
  }
}

let shared: WorkerHasher | undefined;

/** The process's pool, shared by every service that hashes (started on first use). */
export function sharedWorkerHasher(): WorkerHasher {
  shared ??= new WorkerHasher();
  return shared;
}
