// Every hashing engine against the port's contract (hasher.contract.ts).
import { after } from 'node:test';
import { hasherContract } from './hasher.contract.js';
import { localHasher } from './localHasher.js';
import { WorkerHasher } from './workerHasher.js';

hasherContract('this thread (node:crypto)', () => localHasher);

const pool = new WorkerHasher();
after(() => pool.close());
hasherContract('worker threads', () => pool);

const onePool = new WorkerHasher({ maxWorkers: 1 });
after(() => onePool.close());
hasherContract('a single worker thread (MD5 and SHA-256 on the same one)', () => onePool);
