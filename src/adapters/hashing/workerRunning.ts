// A running MD5 + SHA-256 held by worker threads (the port's RunningDigest): what the whole-file
// hash of a multipart upload needs, so that hashing a whole upload (MD5 alone costs seconds per
// GiB) runs beside the event loop instead of on it, MD5 on one worker and SHA-256 on another
// (docs/history.md, issue 6: on one thread, the two made a serial chain of about 2 s per GiB that
// bounded a multipart upload). A ring (ringDigest.ts) cannot serve here: it only hashes a stream
// from start to end, and cannot hold a state between parts or fork one. So bytes are batched
// (1 MiB per algorithm), the batches transferred, not copied again, and handed back for reuse
// once hashed; `update` returns a promise when a worker is more than a few MiB behind.
import type { DigestAlgorithm, Digests, RunningDigest } from '../../core/ports/hasher.js';
import { BATCH_BYTES, type HashWorker } from './hashWorkerHandle.js';
import { WEIGHT } from './ringDigest.js';

/**
 * A state and its copies, all on one worker (a copy is made there). Only one of them is usually
 * fed at a time, so the lineage, not each copy, counts toward the worker's load.
 */
class Lineage {
  private states = 1;

  constructor(
    readonly worker: HashWorker,
    private readonly weight: number,
  ) {
    worker.load += weight;
  }

  grow(): void {
    this.states += 1;
  }

  shrink(): void {
    this.states -= 1;
    if (this.states === 0) this.worker.load -= this.weight;
  }
}

/** One algorithm's running hash, held by one worker. */
class WorkerHash {
  private batch: Buffer | undefined;
  private batchLength = 0;
  private disposed = false;

  private constructor(
    private readonly lineage: Lineage,
    private readonly id: number,
  ) {}

  static create(worker: HashWorker, algorithm: DigestAlgorithm): WorkerHash {
    return new WorkerHash(new Lineage(worker, WEIGHT[algorithm]), worker.createState(algorithm));
  }

  private get worker(): HashWorker {
    return this.lineage.worker;
  }

  update(chunk: Uint8Array): void | Promise<void> {
    if (this.worker.failure) return Promise.reject(this.worker.failure);
    let offset = 0;
    let wait: void | Promise<void> = undefined;
    while (offset < chunk.byteLength) {
      this.batch ??= Buffer.from(this.worker.takeBatch());
      const copied = Math.min(chunk.byteLength - offset, BATCH_BYTES - this.batchLength);
      this.batch.set(chunk.subarray(offset, offset + copied), this.batchLength);
      this.batchLength += copied;
      offset += copied;
      if (this.batchLength === BATCH_BYTES) wait = this.flush() ?? wait;
    }
    return wait;
  }

  copy(): WorkerHash {
    // The batch is posted now; waiting for the worker to catch up is the writer's business (a
    // failed worker fails the copy's digest).
    this.flush()?.catch(() => undefined);
    this.lineage.grow();
    return new WorkerHash(this.lineage, this.worker.copyState(this.id));
  }

  digest(): Promise<string> {
    this.flush()?.catch(() => undefined);
    return this.worker.digestState(this.id);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.batch) this.worker.returnBatch(this.batch.buffer as ArrayBuffer);
    this.batch = undefined;
    this.worker.dropState(this.id);
    this.lineage.shrink();
  }

  private flush(): void | Promise<void> {
    if (!this.batch || this.batchLength === 0) return;
    const batch = this.batch;
    const length = this.batchLength;
    this.batch = undefined;
    this.batchLength = 0;
    return this.worker.updateState(this.id, batch.buffer as ArrayBuffer, length);
  }
}

/** MD5 and SHA-256 on two workers (each chunk is copied to both). */
export class WorkerRunning implements RunningDigest {
  constructor(
    private readonly md5: WorkerHash,
    private readonly sha256: WorkerHash,
  ) {}

  /** Throws, having dropped the state it had created, if a worker cannot be started. */
  static start(pick: (except?: HashWorker) => HashWorker): WorkerRunning {
    const md5Worker = pick();
    const md5 = WorkerHash.create(md5Worker, 'md5');
    try {
      return new WorkerRunning(md5, WorkerHash.create(pick(md5Worker), 'sha256'));
    } catch (error) {
      md5.dispose();
      throw error;
    }
  }

  update(chunk: Uint8Array): void | Promise<void> {
    const md5 = this.md5.update(chunk);
    const sha256 = this.sha256.update(chunk);
    if (md5 || sha256) return Promise.all([md5, sha256]).then(() => undefined);
  }

  copy(): RunningDigest {
    return new WorkerRunning(this.md5.copy(), this.sha256.copy());
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
