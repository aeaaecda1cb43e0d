// The disk store: the shared BlobStore contract, then what only the disk store promises about its
// files (no temp file left behind, sweeping, completing without copying, ids that cannot escape).
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BlobStore } from '../../core/ports/blobStore.js';
import { blobStoreContract } from './blobStore.contract.js';
import { assertRejectsWithCode, failingBody, MiB, randomData, readAll, sha256, streamOf } from './blobStoreContractSupport.js';
import { openDiskBlobStore } from './diskBlobStore.js';

async function freshRoot(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'datafiles-blobs-'));
}

/** Polls `condition` until it holds, for at most 10 s. */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every file and directory under `directory` (itself included), with its permission bits. */
async function walk(directory: string): Promise<{ path: string; mode: number; directory: boolean }[]> {
  const stats = await lstat(directory);
  const entries = [{ path: directory, mode: stats.mode & 0o777, directory: stats.isDirectory() }];
  if (!stats.isDirectory()) return entries;
  for (const name of await readdir(directory)) entries.push(...(await walk(path.join(directory, name))));
  return entries;
}

blobStoreContract('disk', async () => {
  const root = await freshRoot();
  const store = await openDiskBlobStore({ root });
  return { store, cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('disk BlobStore files', () => {
  let root: string;
  let store: BlobStore;

  beforeEach(async () => {
    root = await freshRoot();
    store = await openDiskBlobStore({ root });
  });
  afterEach(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  const filesIn = async (directory: string): Promise<string[]> => readdir(path.join(root, directory));

  it('a put whose body fails leaves no file in root/tmp and no blob in root/blobs', async () => {
    await assert.rejects(store.put({ body: failingBody(2 * MiB, new Error('connection reset')) }));
    assert.deepEqual(await filesIn('tmp'), []);
    assert.deepEqual(await filesIn('blobs'), []);
  });

  it('a part whose body fails leaves no file in root/tmp', async () => {
    const { uploadId } = await store.createUpload();
    await assert.rejects(store.putPart({ uploadId, index: 1, body: failingBody(MiB, new Error('connection reset')) }));
    assert.deepEqual(await filesIn('tmp'), []);
    assert.deepEqual(await filesIn(path.join('uploads', uploadId)), []);
  });

  it('sweepTemporary removes what nobody touched for olderThanMs and spares a young temp file', async () => {
    const leftover = path.join(root, 'tmp', 'crashed-write.tmp');
    await writeFile(leftover, 'half a body');
    // Not faked with utimes (that would set the change time to now): polled until it is 100 ms old.
    await waitUntil(async () => {
      await store.sweepTemporary({ olderThanMs: 100 });
      return !(await filesIn('tmp')).includes('crashed-write.tmp');
    });
    await writeFile(path.join(root, 'tmp', 'current-write.tmp'), 'a body arriving');
    assert.equal(await store.sweepTemporary({ olderThanMs: 60 * 60 * 1000 }), 0);
    assert.deepEqual(await filesIn('tmp'), ['current-write.tmp']);
  });

  it('a directory renamed into tmp counts as touched when it was renamed, not when its last part arrived (an upload being assembled)', async () => {
    // What completeUpload does with an upload whose last part came days ago: the rename sets the
    // directory's change time only, not its modification time.
    const upload = path.join(root, 'an-upload');
    await mkdir(upload);
    await writeFile(path.join(upload, 'part-1'), 'a part');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(upload, twoDaysAgo, twoDaysAgo);
    await rename(upload, path.join(root, 'tmp', 'assembling.tmp'));
    assert.equal(await store.sweepTemporary({ olderThanMs: 60 * 60 * 1000 }), 0);
    assert.deepEqual(await filesIn('tmp'), ['assembling.tmp']);
  });

  it('sweepTemporary takes "now" from the Clock it was given, not from the system', async () => {
    const twoDaysAhead = await openDiskBlobStore({ root, clock: { now: () => Date.now() + 2 * 24 * 60 * 60 * 1000 } });
    await writeFile(path.join(root, 'tmp', 'just-written.tmp'), 'a body that is young by the system clock');
    assert.equal(await twoDaysAhead.sweepTemporary({ olderThanMs: 24 * 60 * 60 * 1000 }), 1);
    assert.deepEqual(await filesIn('tmp'), []);
  });

  it('an exclusive store (the data directory is locked) removes at once what other writers left in tmp, and spares its own write in progress', async () => {
    const exclusive = await openDiskBlobStore({ root, exclusive: true });
    await writeFile(path.join(root, 'tmp', 'crashed-write.tmp'), 'left by an older version');
    await writeFile(path.join(root, 'tmp', `0123456789ab-${'c'.repeat(32)}.tmp`), 'left by the previous server');
    const data = randomData(3 * MiB);
    const body = new Readable({ read() {} });
    body.push(data.subarray(0, MiB));
    const writing = exclusive.put({ body });
    await waitUntil(async () => (await filesIn('tmp')).length === 3);
    const [ownTemp] = (await filesIn('tmp')).filter((name) => !name.startsWith('crashed') && !name.startsWith('0123456789ab-'));

    assert.equal(await exclusive.sweepTemporary({ olderThanMs: 24 * 60 * 60 * 1000 }), 2);
    assert.deepEqual(await filesIn('tmp'), [ownTemp]);

    body.push(data.subarray(MiB));
    body.push(null);
    const { key } = await writing;
    assert.equal(sha256(await readAll(await exclusive.get({ key }))), sha256(data));
    assert.deepEqual(await filesIn('tmp'), []);
  });

  it('creates every directory 0700 and every file 0600, whatever the umask', async () => {
    const previous = process.umask(0);
    try {
      const fresh = path.join(root, 'fresh');
      const owned = await openDiskBlobStore({ root: fresh });
      await owned.put({ body: streamOf(randomData(1000)) });
      const { uploadId } = await owned.createUpload();
      await owned.putPart({ uploadId, index: 1, body: streamOf(randomData(100)) });
      const open = await owned.createUpload();
      await owned.putPart({ uploadId: open.uploadId, index: 2, body: streamOf(randomData(100)) });
      const body = new Readable({ read() {} });
      body.push(randomData(100));
      const writing = owned.put({ body });
      await waitUntil(async () => (await readdir(path.join(fresh, 'tmp'))).length === 1);
      await owned.completeUpload({ uploadId, indexes: [1] });

      const entries = await walk(fresh);
      assert.ok(
        entries.some((entry) => entry.path.includes(`${path.sep}tmp${path.sep}`)),
        'a temporary file was seen',
      );
      assert.ok(
        entries.some((entry) => entry.path.endsWith('manifest.json')),
        'an assembled blob was seen',
      );
      for (const entry of entries) {
        assert.equal(entry.mode, entry.directory ? 0o700 : 0o600, `${entry.path} is ${entry.mode.toString(8)}`);
      }
      body.push(null);
      await writing;
    } finally {
      process.umask(previous);
    }
  });

  it('completeUpload of a 64 MiB upload moves the part files instead of copying them', async () => {
    const { uploadId } = await store.createUpload();
    const parts = Array.from({ length: 8 }, (_, position) => Buffer.alloc(8 * MiB, position + 1));
    await Promise.all(parts.map((data, position) => store.putPart({ uploadId, index: position + 1, body: streamOf(data, MiB) })));
    const inodeOfPart = async (directory: string, index: number): Promise<number> => (await stat(path.join(directory, `part-${index}`))).ino;
    const uploadDirectory = path.join(root, 'uploads', uploadId);
    const inodesBefore = await Promise.all(parts.map((_, position) => inodeOfPart(uploadDirectory, position + 1)));

    const { key, sizeBytes } = await store.completeUpload({ uploadId, indexes: [1, 2, 3, 4, 5, 6, 7, 8] });

    assert.equal(sizeBytes, 64 * MiB);
    const blobDirectory = path.join(root, 'blobs', key.slice(0, 2), key.slice(2, 4), key);
    const inodesAfter = await Promise.all(parts.map((_, position) => inodeOfPart(blobDirectory, position + 1)));
    assert.deepEqual(inodesAfter, inodesBefore);
    assert.deepEqual(await filesIn('uploads'), []);
    assert.deepEqual(await filesIn('tmp'), []);
    const edge = 8 * MiB;
    assert.deepEqual(await readAll(await store.get({ key, range: { start: edge - 2, end: edge + 1 } })), Buffer.from([1, 1, 2, 2]));
  });

  it('parts left out at completion are deleted from disk', async () => {
    const { uploadId } = await store.createUpload();
    await Promise.all([1, 2, 3].map((index) => store.putPart({ uploadId, index, body: streamOf(randomData(100)) })));
    const { key } = await store.completeUpload({ uploadId, indexes: [1, 3] });
    const blobDirectory = path.join(root, 'blobs', key.slice(0, 2), key.slice(2, 4), key);
    assert.deepEqual((await readdir(blobDirectory)).sort(), ['manifest.json', 'part-1', 'part-3']);
  });

  it('deleting an assembled blob removes its directory', async () => {
    const { uploadId } = await store.createUpload();
    await store.putPart({ uploadId, index: 1, body: streamOf(randomData(100)) });
    const { key } = await store.completeUpload({ uploadId, indexes: [1] });
    await store.delete(key);
    assert.deepEqual(await readdir(path.join(root, 'blobs', key.slice(0, 2), key.slice(2, 4))), []);
    assert.deepEqual(await filesIn('tmp'), []);
  });

  it('an assembled blob deleted while it is read: the read goes on to the end, then its files are removed (docs/decisions.md 52)', async () => {
    const { uploadId } = await store.createUpload();
    const parts = [randomData(3 * MiB), randomData(3 * MiB), randomData(3 * MiB)];
    for (const [position, data] of parts.entries()) await store.putPart({ uploadId, index: position + 1, body: streamOf(data) });
    const { key } = await store.completeUpload({ uploadId, indexes: [1, 2, 3] });
    const first = await store.get({ key });
    const second = await store.get({ key, range: { start: MiB, end: 8 * MiB } });
    await store.delete(key);
    await assertRejectsWithCode(store.get({ key }), 'NOT_FOUND');
    assert.equal((await filesIn('tmp')).length, 1, 'moved out of the blob tree, kept for its readers');
    assert.equal(sha256(await readAll(first)), sha256(Buffer.concat(parts)));
    assert.equal((await filesIn('tmp')).length, 1, 'one reader is still on it');
    assert.equal(sha256(await readAll(second)), sha256(Buffer.concat(parts).subarray(MiB, 8 * MiB + 1)));
    const deadline = Date.now() + 5000;
    while ((await filesIn('tmp')).length > 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await filesIn('tmp'), [], 'removed by the last reader');
  });

  it('a read abandoned after a delete removes the files too', async () => {
    const { uploadId } = await store.createUpload();
    for (const index of [1, 2]) await store.putPart({ uploadId, index, body: streamOf(randomData(2 * MiB)) });
    const { key } = await store.completeUpload({ uploadId, indexes: [1, 2] });
    const reading = await store.get({ key });
    await store.delete(key);
    reading.destroy();
    const deadline = Date.now() + 5000;
    while ((await filesIn('tmp')).length > 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await filesIn('tmp'), []);
  });

  it('keys and upload ids that are not the store’s own, like ../../etc/passwd, are refused with NOT_FOUND', async () => {
    const escapes = ['../../etc/passwd', '..', '/etc/passwd', 'blobs/../../x', `${'a'.repeat(32)}/../x`, 'A'.repeat(32), ''];
    for (const hostile of escapes) {
      await assertRejectsWithCode(store.get({ key: hostile }), 'NOT_FOUND');
      await assertRejectsWithCode(store.delete(hostile), 'NOT_FOUND');
      await assertRejectsWithCode(store.putPart({ uploadId: hostile, index: 1, body: streamOf(Buffer.from('x')) }), 'NOT_FOUND');
      await assertRejectsWithCode(store.getPart({ uploadId: hostile, index: 1 }), 'NOT_FOUND');
      await assertRejectsWithCode(store.completeUpload({ uploadId: hostile, indexes: [1] }), 'NOT_FOUND');
      await assertRejectsWithCode(store.abortUpload({ uploadId: hostile }), 'NOT_FOUND');
    }
  });

  it('a part that ends before its announced size is refused as TRUNCATED_BODY and not stored', async () => {
    const { uploadId } = await store.createUpload();
    await assertRejectsWithCode(store.putPart({ uploadId, index: 1, body: streamOf(randomData(10)), sizeBytes: 11 }), 'TRUNCATED_BODY');
    await assertRejectsWithCode(store.getPart({ uploadId, index: 1 }), 'NOT_FOUND');
    assert.deepEqual(await filesIn('tmp'), []);
  });

  it('a store reopened on the same root reads the blobs written before', async () => {
    const data = randomData(50_000);
    const single = await store.put({ body: streamOf(data) });
    const { uploadId } = await store.createUpload();
    await store.putPart({ uploadId, index: 1, body: streamOf(data) });
    const assembled = await store.completeUpload({ uploadId, indexes: [1] });
    await store.close();

    store = await openDiskBlobStore({ root });
    assert.equal(sha256(await readAll(await store.get({ key: single.key }))), sha256(data));
    assert.equal(sha256(await readAll(await store.get({ key: assembled.key }))), sha256(data));
  });
});
