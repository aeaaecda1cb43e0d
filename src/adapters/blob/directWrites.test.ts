// Direct (O_DIRECT) writes of a body (docs/decisions.md 170-172): the bytes on disk are the body's
// at every size around the alignment and the staging buffer's size, failures leave no file and no
// staging buffer taken, and where the file system refuses O_DIRECT the buffered path is used.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { blobStoreContract } from './blobStore.contract.js';
import { failingBody, KiB, MiB, randomData, sha256, stalledAsyncBody } from './blobStoreContractSupport.js';
import { openDiskBlobStore } from './diskBlobStore.js';
import { STAGING_BUFFER_BYTES, StagingPool, stagingPool } from './directWrites.js';
import { writeBodyToNewFile } from './durableFiles.js';

/** `bytes` as chunks of random sizes from 1 byte to `maxChunkBytes`. */
async function* randomChunksOf(bytes: Uint8Array, maxChunkBytes: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength;) {
    const size = Math.min(randomInt(1, maxChunkBytes + 1), bytes.byteLength - offset);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

async function* chunksOf(bytes: Uint8Array, chunkBytes: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkBytes) yield bytes.subarray(offset, offset + chunkBytes);
}

const execFileAsync = promisify(execFile);

/** A fresh ramfs mount (a file system that refuses O_DIRECT), or undefined when not root. */
async function mountRamfs(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const directory = await mkdtemp(path.join(tmpdir(), 'datafiles-ramfs-'));
  try {
    await execFileAsync('mount', ['-t', 'ramfs', '-o', 'size=64m', 'ramfs', directory]);
    return directory;
  } catch {
    await rm(directory, { recursive: true, force: true });
    return undefined;
  }
}

/** Whether `directory`'s file system accepts O_DIRECT (it may not, even on Linux: ramfs). */
async function acceptsDirectIo(directory: string): Promise<boolean> {
  const probe = path.join(directory, `probe-${process.pid}`);
  await (await open(probe, 'wx')).close();
  try {
    await (await open(probe, constants.O_WRONLY | (constants as { O_DIRECT?: number }).O_DIRECT!)).close();
    return true;
  } catch {
    return false;
  } finally {
    await rm(probe, { force: true });
  }
}

// The contract once more with direct writes off: the buffered path stays a first-class citizen.
blobStoreContract('disk, direct writes off', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'datafiles-buffered-'));
  const store = await openDiskBlobStore({ root, directWrites: false });
  return { store, cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('direct writes', { skip: process.platform !== 'linux' && 'O_DIRECT is Linux only' }, () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'datafiles-direct-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  let fileCount = 0;
  const newPath = () => path.join(directory, `body-${fileCount++}`);

  const S = STAGING_BUFFER_BYTES;
  // Around the alignment, the staging buffer's size and 1 MiB (equal sizes tested once).
  const sizes = new Set([0, 1, 4095, 4096, 4097, S - 1, S, S + 1, 2 * S - 1, 2 * S + 4096, MiB - 1, MiB, MiB + 1, 3 * MiB + 1]);
  for (const size of sizes) {
    it(`writes a body of ${size} bytes exactly, around the page cache`, async (t) => {
      if (!(await acceptsDirectIo(directory))) return t.skip(`${directory} refuses O_DIRECT`);
      const data = randomData(size);
      const filePath = newPath();
      const result = await writeBodyToNewFile({ body: chunksOf(data, 64 * KiB), filePath, direct: true });
      assert.deepEqual(result, { sizeBytes: size, mode: 'direct' });
      assert.equal((await stat(filePath)).size, size);
      assert.equal(sha256(await readFile(filePath)), sha256(data));
      assert.equal(stagingPool.inUse, 0);
    });
  }

  it('writes a few MiB arriving in chunks of random sizes, byte for byte', async (t) => {
    if (!(await acceptsDirectIo(directory))) return t.skip(`${directory} refuses O_DIRECT`);
    for (const maxChunk of [1, 3 * KiB, 200 * KiB, 3 * MiB]) {
      const data = randomData(maxChunk === 1 ? 100 * KiB + 7 : 5 * MiB + randomInt(0, 64 * KiB));
      const filePath = newPath();
      const result = await writeBodyToNewFile({ body: randomChunksOf(data, maxChunk), filePath, direct: true });
      assert.deepEqual(result, { sizeBytes: data.byteLength, mode: 'direct' });
      assert.ok((await readFile(filePath)).equals(data), `chunks up to ${maxChunk} bytes`);
    }
    assert.equal(stagingPool.inUse, 0);
  });

  it('an abort mid-body removes the file, rethrows the reason and gives the staging buffers back', async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    const filePath = newPath();
    const writing = writeBodyToNewFile({ body: stalledAsyncBody(3 * MiB + 5), filePath, signal: controller.signal, direct: true });
    // Wait until the body is being written: the file exists and the buffers are taken.
    while ((await readdir(directory)).every((name) => path.join(directory, name) !== filePath) || stagingPool.inUse === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    controller.abort(reason);
    await assert.rejects(writing, (error) => error === reason);
    await assert.rejects(stat(filePath), { code: 'ENOENT' });
    assert.equal(stagingPool.inUse, 0);
  });

  it('a body that fails removes the file and gives the staging buffers back', async () => {
    const filePath = newPath();
    await assert.rejects(writeBodyToNewFile({ body: failingBody(3 * MiB + 5, new Error('reset')), filePath, direct: true }), /reset/);
    await assert.rejects(stat(filePath), { code: 'ENOENT' });
    assert.equal(stagingPool.inUse, 0);
  });

  it('with direct off, or no staging buffer left, the body goes through the page cache', async () => {
    const data = randomData(MiB + 3);
    assert.equal((await writeBodyToNewFile({ body: chunksOf(data, 64 * KiB), filePath: newPath(), direct: false })).mode, 'buffered');
    const pool = new StagingPool(4096, 3);
    assert.equal(pool.take(2)?.length, 2);
    assert.equal(pool.take(2), undefined, 'one buffer left, two asked');
    assert.equal(pool.inUse, 2);
  });

  it('the staging buffers are page-aligned views on one memory, reused once given back', () => {
    const pool = new StagingPool();
    const first = pool.take(2)!;
    for (const buffer of first) {
      assert.equal(buffer.byteOffset % 4096, 0);
      assert.equal(buffer.byteLength, STAGING_BUFFER_BYTES);
    }
    assert.equal(first[0].buffer, first[1].buffer);
    pool.give(first);
    assert.equal(pool.inUse, 0);
    assert.deepEqual(new Set(pool.take(2)), new Set(first));
  });

  // tmpfs accepts O_DIRECT since Linux 6.6; ramfs never does. The test mounts a ramfs of its own
  // when it runs as root (as CI does); otherwise DATAFILES_TEST_NO_DIRECT_IO_DIR names a directory on
  // a file system that refuses O_DIRECT (a ramfs mount), and /dev/shm is tried last (older kernels).
  it('falls back to the page cache where the file system refuses O_DIRECT', async (t) => {
    const mounted = await mountRamfs();
    const parent = mounted ?? process.env.DATAFILES_TEST_NO_DIRECT_IO_DIR ?? '/dev/shm';
    const refusing = await mkdtemp(path.join(parent, 'datafiles-direct-')).catch(() => undefined);
    t.after(async () => {
      if (refusing) await rm(refusing, { recursive: true, force: true });
      if (mounted) {
        await execFileAsync('umount', [mounted]);
        await rm(mounted, { recursive: true, force: true });
      }
    });
    if (!refusing) return t.skip(`no ${parent}`);
    if (await acceptsDirectIo(refusing)) return t.skip(`${parent} accepts O_DIRECT on this kernel; run as root or set DATAFILES_TEST_NO_DIRECT_IO_DIR`);
    {
      const data = randomData(MiB + 4097);
      const filePath = path.join(refusing, 'body');
      const result = await writeBodyToNewFile({ body: randomChunksOf(data, 100 * KiB), filePath, direct: true });
      assert.deepEqual(result, { sizeBytes: data.byteLength, mode: 'buffered' });
      assert.ok((await readFile(filePath)).equals(data));
      assert.deepEqual(await readdir(refusing), ['body'], 'nothing left by the refused open');
      assert.equal(stagingPool.inUse, 0);
    }
  });
});
