// A real SessionService for unit tests of src/core/sessions: SQLite in memory, the disk blob store
// in a fresh temporary directory, and a few users. No mocks; the clock may be pinned.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { openDiskBlobStore } from '../../src/adapters/blob/diskBlobStore.js';
import { openSqliteMetadataStore } from '../../src/adapters/metadata/openSqliteMetadataStore.js';
import { localHasher } from '../../src/adapters/hashing/localHasher.js';
import { sharedWorkerHasher } from '../../src/adapters/hashing/workerHasher.js';
import { FileService } from '../../src/core/files/fileService.js';
import type { Caller } from '../../src/core/model.js';
import type { BlobStore } from '../../src/core/ports/blobStore.js';
import type { Clock } from '../../src/core/ports/clock.js';
import type { MetadataStore } from '../../src/core/ports/metadataStore.js';
import { SessionService, type CommitTiming, type SessionLog } from '../../src/core/sessions/sessionService.js';

export const MiB = 1024 * 1024;

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** The store's getPart, counted: how many parts a commit had to read back. */
export interface CountingBlobs extends BlobStore {
  partReads: number;
}

function countingReads(blobs: BlobStore): CountingBlobs {
  const counted = Object.create(blobs) as CountingBlobs;
  counted.partReads = 0;
  counted.getPart = (input) => {
    counted.partReads += 1;
    return blobs.getPart(input);
  };
  return counted;
}

export interface SessionWorld {
  root: string;
  metadata: MetadataStore;
  blobs: CountingBlobs;
  files: FileService;
  sessions: SessionService;
  clock: Clock;
  alice: Caller;
  bob: Caller;
  /** A new service over the same stores (as after a restart: nothing in memory). */
  restart(): SessionService;
  /** Entries of root/uploads and root/tmp (staged parts and writes in progress). */
  leftovers(): Promise<{ uploads: string[]; tmp: string[] }>;
  readFile(fileId: number): Promise<Buffer>;
  cleanup(): Promise<void>;
}

export async function startSessionWorld(
  options: {
    clock?: Clock;
    ttlMs?: number;
    maxPartBytes?: number;
    maxOpenPerUser?: number;
    hashing?: 'workers' | 'local';
    commitTiming?: Partial<CommitTiming>;
    log?: SessionLog;
  } = {},
): Promise<SessionWorld> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'datafiles-sessions-'));
  const blobs = countingReads(await openDiskBlobStore({ root }));
  const metadata = await openSqliteMetadataStore({ path: ':memory:' });
  const clock = options.clock ?? { now: () => Date.now() };
  const hasher = options.hashing === 'local' ? localHasher : sharedWorkerHasher();
  const files = new FileService({ metadata, blobs, clock, hasher });
  const makeSessions = () =>
    new SessionService({
      metadata,
      blobs,
      files,
      clock,
      ttlMs: options.ttlMs ?? 60 * 60 * 1000,
      maxPartBytes: options.maxPartBytes ?? 64 * MiB,
      maxOpenPerUser: options.maxOpenPerUser,
      hasher,
      commitTiming: options.commitTiming,
      log: options.log,
    });
  const caller = async (name: string): Promise<Caller> => ({
    user: await metadata.principals.createUser({ name, isAdmin: false, createdAt: clock.now() }),
    groupIds: [],
  });
  const world: SessionWorld = {
    root,
    metadata,
    blobs,
    files,
    sessions: makeSessions(),
    clock,
    alice: await caller('alice'),
    bob: await caller('bob'),
    restart: () => makeSessions(),
    async leftovers() {
      return { uploads: await readdir(path.join(root, 'uploads')), tmp: await readdir(path.join(root, 'tmp')) };
    },
    async readFile(fileId) {
      const { revision } = await files.findDownload({ caller: world.alice, fileId });
      const chunks: Buffer[] = [];
      for await (const chunk of await files.openContent({ revision })) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    async cleanup() {
      await metadata.close();
      await blobs.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  return world;
}

export function bytesOf(sizeBytes: number): Buffer {
  return randomBytes(sizeBytes);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').toUpperCase();
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex').toUpperCase();
}

/** A body delivering `bytes` in 64 KiB chunks, like a request. */
export function bodyOf(bytes: Uint8Array): Readable {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024) chunks.push(bytes.subarray(offset, offset + 64 * 1024));
  return Readable.from(chunks, { objectMode: false });
}

/** A body that delivers some bytes and then fails, like a dropped connection. */
export function failingBodyOf(bytes: Uint8Array): Readable {
  return Readable.from(
    (async function* () {
      yield bytes;
      throw new Error('connection reset');
    })(),
    { objectMode: false },
  );
}
