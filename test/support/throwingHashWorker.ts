// A hashing worker that throws as soon as it is given work: for the test of what the pool does
// when a worker dies mid-digest (src/adapters/hashing/workerHasher.test.ts). It speaks the real
// worker's protocol (src/adapters/hashing/workerProtocol.ts) only as far as reading a message.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { BELL_COUNT, type HashWorkerData } from '../../src/adapters/hashing/workerProtocol.js';

const { port, bell: bellBuffer } = workerData as HashWorkerData;
const bell = new Int32Array(bellBuffer);
for (;;) {
  const seen = Atomics.load(bell, BELL_COUNT);
  if (receiveMessageOnPort(port) !== undefined) throw new Error('the test worker blew up');
  Atomics.wait(bell, BELL_COUNT, seen, 100);
}
