// What the event loop and a hashing worker (hashWorker.ts) share: the layout of the shared memory
// and the messages. Only type imports, so the worker loads nothing else.
import type { MessagePort } from 'node:worker_threads';
import type { DigestAlgorithm } from '../../core/ports/hasher.js';

/** A worker hashes this much of one ring before looking at the others (and publishing progress). */
export const STEP_BYTES = 256 * 1024;
/** Bytes before a ring's data: its header of Int32 slots. */
export const DATA_OFFSET = 64;
/** Int32 slots of a ring's header. */
export const WRITTEN = 0;
/** + the consumer's slot (0 or 1). */
export const CONSUMED = 1;
export const ENDED = 8;
/** + the consumer's slot: the event loop waits for this consumer to make room. */
export const PRODUCER_WAITING = 9;
/** Int32 slots of a worker's bell: a counter bumped to wake it, and whether it sleeps. */
export const BELL_COUNT = 0;
export const BELL_SLEEPING = 1;
export const BELL_BYTES = 8;

export interface HashWorkerData {
  port: MessagePort;
  bell: SharedArrayBuffer;
}

/** Messages to a worker. Ids are the worker's own (one sequence for rings and running states). */
export type ToWorker =
  /** Hash the bytes a ring's producer writes, as consumer `slot`, until the ring is ended. */
  | { op: 'attach'; id: number; ring: SharedArrayBuffer; capacity: number; slot: number; algorithm: DigestAlgorithm }
  /** Stop hashing a ring (its stream was given up). */
  | { op: 'detach'; id: number }
  /** A running state: created, copied, fed (the batch is transferred and handed back), read, dropped. */
  | { op: 'create'; id: number; algorithm: DigestAlgorithm }
  | { op: 'copy'; id: number; from: number }
  | { op: 'update'; id: number; buffer: ArrayBuffer; length: number }
  | { op: 'digest'; id: number; request: number }
  | { op: 'drop'; id: number };

/** Messages from a worker; hex is upper-case (docs/decisions.md 3). */
export type FromWorker =
  | { op: 'finished'; id: number; hex: string }
  | { op: 'ack'; length: number; buffer: ArrayBuffer }
  /** hex is missing if the state was unknown (a bug): the request fails. */
  | { op: 'digest'; request: number; hex?: string };
