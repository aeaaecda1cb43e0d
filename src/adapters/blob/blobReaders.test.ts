// The readers of composite blobs and the deletes that move them (docs/decisions.md 52 and 181):
// the window between a delete's rename and its bookkeeping is reproduced step by step here, since
// through the whole store it opens only now and then (test/download-delete-race.test.ts).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BlobReaders } from './blobReaders.js';

const exists = (target: string) =>
  stat(target).then(
    () => true,
    () => false,
  );

describe('BlobReaders', () => {
  let root: string;
  let place: string;
  let doomed: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'datafiles-readers-'));
    place = path.join(root, 'blobs', 'key');
    doomed = path.join(root, 'tmp', 'doomed');
    await mkdir(place, { recursive: true });
    await mkdir(path.dirname(doomed));
    await writeFile(path.join(place, 'part-2'), 'second part');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** A read of part-2 that reports each place it tried, and the first failure. */
  const partReader = () => {
    const tried: string[] = [];
    let failedOnce!: () => void;
    const firstFailure = new Promise<void>((resolve) => (failedOnce = resolve));
    const work = async (directory: string) => {
      tried.push(directory);
      try {
        return await readFile(path.join(directory, 'part-2'), 'utf8');
      } catch (error) {
        failedOnce();
        throw error;
      }
    };
    // Resolved once the failure has been handled: every promise job queued by then has run.
    const failureHandled = firstFailure.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    return { tried, firstFailure: failureHandled, work };
  };

  it('a reader that finds its part gone after the rename, before the delete has told it, waits and reads at the new place', async () => {
    const readers = new BlobReaders();
    const reader = readers.acquire('key', place);
    const move = readers.moving('key');
    await rename(place, doomed); // the delete's rename is done; its code after it has not run yet
    const { tried, firstFailure, work } = partReader();
    const reading = reader.follow(work);
    await firstFailure;
    assert.equal(move.settle(doomed), true, 'being read: the last reader removes it');
    assert.equal(await reading, 'second part');
    assert.deepEqual(tried, [place, doomed]);
    assert.equal(readers.unsettledMoves, 0);
    reader.release();
    for (let attempt = 0; (await exists(doomed)) && attempt < 1000; attempt++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await exists(doomed), false, 'removed by its last reader');
  });

  it('a move that did not happen leaves the reader with its own error', async () => {
    const readers = new BlobReaders();
    const reader = readers.acquire('key', place);
    const move = readers.moving('key');
    await rm(path.join(place, 'part-2'));
    const { firstFailure, work } = partReader();
    const reading = reader.follow(work);
    await firstFailure;
    assert.equal(move.settle(undefined), false);
    await assert.rejects(reading, { code: 'ENOENT' });
    reader.release();
    assert.equal(readers.size, 0);
  });

  it('a blob nobody reads is left to the delete to remove, and a settled move is forgotten', () => {
    const readers = new BlobReaders();
    assert.equal(readers.moving('key').settle(doomed), false);
    assert.equal(readers.unsettledMoves, 0);
  });

  it('a reader waits for both of two deletes racing on one key', async () => {
    const readers = new BlobReaders();
    const reader = readers.acquire('key', place);
    const first = readers.moving('key');
    const second = readers.moving('key');
    await rename(place, doomed);
    const { firstFailure, work } = partReader();
    const reading = reader.follow(work);
    await firstFailure;
    assert.equal(second.settle(undefined), false, 'the second delete found nothing to move');
    assert.equal(readers.unsettledMoves, 1, 'the first is still moving');
    assert.equal(first.settle(doomed), true);
    assert.equal(await reading, 'second part');
    assert.equal(readers.unsettledMoves, 0);
    reader.release();
  });

  it('errors other than a missing file are not retried', async () => {
    const readers = new BlobReaders();
    const reader = readers.acquire('key', place);
    let calls = 0;
    await assert.rejects(
      reader.follow(async () => {
        calls += 1;
        throw new Error('EIO');
      }),
      /EIO/,
    );
    assert.equal(calls, 1);
    reader.release();
  });
});
