// A hashing worker thread's whole program (started by hashWorkerHandle.ts). It serves two kinds of
// work, both through node:crypto:
//   - rings: a stream's bytes in shared memory (ringDigest.ts). The event loop copies each chunk in
//     and advances a "written" counter; this worker advances its own "consumed" counter as it
//     hashes. No message and no allocation per chunk.
//   - running states (workerRunning.ts): created, copied, fed with batches transferred to it and
//     handed back, and read without being ended.
// With nothing to do it sleeps on a futex (Atomics.wait on its bell) and is woken when there is.
// Messages are taken with receiveMessageOnPort, not events: the loop below never yields.
import { createHash, type Hash } from 'node:crypto';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import {
  BELL_COUNT,
  BELL_SLEEPING,
  CONSUMED,
  DATA_OFFSET,
  ENDED,
  PRODUCER_WAITING,
  STEP_BYTES,
  WRITTEN,
  type FromWorker,
  type HashWorkerData,
  type ToWorker,
} from './workerProtocol.js';

interface RingTask {
  id: number;
  slot: number;
  hash: Hash;
  header: Int32Array;
  data: Uint8Array;
  capacity: number;
  consumed: number;
}

const { port, bell: bellBuffer } = workerData as HashWorkerData;
const bell = new Int32Array(bellBuffer);
const rings = new Map<number, RingTask>();
const states = new Map<number, Hash>();

function send(message: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(message, transfer);
}

function control(message: ToWorker): void {
  switch (message.op) {
    case 'attach':
      rings.set(message.id, {
        id: message.id,
        slot: message.slot,
        hash: createHash(message.algorithm),
        header: new Int32Array(message.ring, 0, DATA_OFFSET / 4),
        data: new Uint8Array(message.ring, DATA_OFFSET, message.capacity),
        capacity: message.capacity,
        consumed: 0,
      });
      break;
    case 'detach':
      rings.delete(message.id);
      break;
    case 'create':
      states.set(message.id, createHash(message.algorithm));
      break;
    case 'copy': {
      const from = states.get(message.from);
      if (from) states.set(message.id, from.copy());
      break;
    }
    case 'update':
      states.get(message.id)?.update(new Uint8Array(message.buffer, 0, message.length));
      send({ op: 'ack', length: message.length, buffer: message.buffer }, [message.buffer]);
      break;
    case 'digest':
      send({ op: 'digest', request: message.request, hex: states.get(message.id)?.copy().digest('hex').toUpperCase() });
      break;
    case 'drop':
      states.delete(message.id);
      break;
  }
}

/** Hashes up to STEP_BYTES of a ring; whether there was anything to hash. */
function step(task: RingTask): boolean {
  // "ended" before "written": once ended is seen, written is final.
  const ended = Atomics.load(task.header, ENDED) === 1;
  const written = Atomics.load(task.header, WRITTEN) >>> 0;
  let available = (written - task.consumed) >>> 0;
  let worked = false;
  if (available > 0) {
    const length = Math.min(available, STEP_BYTES);
    const start = task.consumed & (task.capacity - 1);
    const first = Math.min(length, task.capacity - start);
    task.hash.update(task.data.subarray(start, start + first));
    if (first < length) task.hash.update(task.data.subarray(0, length - first));
    task.consumed = (task.consumed + length) >>> 0;
    Atomics.store(task.header, CONSUMED + task.slot, task.consumed | 0);
    if (Atomics.load(task.header, PRODUCER_WAITING + task.slot) === 1) Atomics.notify(task.header, CONSUMED + task.slot);
    available -= length;
    worked = true;
  }
  if (available === 0 && ended) {
    rings.delete(task.id);
    send({ op: 'finished', id: task.id, hex: task.hash.digest('hex').toUpperCase() });
  }
  return worked;
}

for (;;) {
  const seen = Atomics.load(bell, BELL_COUNT);
  for (let received = receiveMessageOnPort(port); received !== undefined; received = receiveMessageOnPort(port)) control(received.message as ToWorker);
  let worked = false;
  for (const task of rings.values()) worked = step(task) || worked;
  if (!worked) {
    // Announced before the wait, so that a producer bumping the counter after this point knows to
    // wake us. The timeout only bounds the cost of a missed wake-up.
    Atomics.store(bell, BELL_SLEEPING, 1);
    Atomics.wait(bell, BELL_COUNT, seen, 1000);
    Atomics.store(bell, BELL_SLEEPING, 0);
  }
}
