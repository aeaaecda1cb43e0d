// The S3 store against a real S3 server (Ceph RGW, started by test/support/rgw.ts unless
// DATAFILES_TEST_S3_ENDPOINT points elsewhere): the shared BlobStore contract, then what only the
// S3 store promises: how staged uploads are assembled (copied by S3 when part sizes allow,
// streamed through the server only for small parts), bounded multipart puts that leave nothing
// behind, upload ids that any server can continue, and the sweep. Failing fast when S3 is gone:
// s3Unavailable.test.ts.
//
// One bucket per run, deleted at the end; every store gets its own prefix in it.
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { BlobStore } from '../../../core/ports/blobStore.js';
import type { Clock } from '../../../core/ports/clock.js';
import { ensureRgw, type S3TestSettings } from '../../../../test/support/rgw.js';
import { blobStoreContract } from '../blobStore.contract.js';
import {
  abortedSignal,
  assertRejectsWithCode,
  asyncChunksOf,
  failingBody,
  KiB,
  MiB,
  randomData,
  readAll,
  sha256,
  stalledBody,
  streamOf,
} from '../blobStoreContractSupport.js';
import { createS3Client } from './s3Client.js';
import { openS3BlobStore, s3BlobStoreOnClient } from './s3BlobStore.js';

const bucket = `datafiles-test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let settings: S3TestSettings;
let admin: S3Client;

before(async () => {
  settings = await ensureRgw();
  admin = createS3Client(settings);
});

after(async () => {
  if (admin === undefined) return; // before() failed
  await emptyPrefix('');
  await admin.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  admin.destroy();
});

const newPrefix = (): string => `run-${randomBytes(6).toString('hex')}/`;

/** Every object and multipart upload under `prefix`, removed. */
async function emptyPrefix(prefix: string): Promise<void> {
  for (const upload of await multipartUploadsUnder(prefix)) {
    await admin.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId })).catch(() => undefined);
  }
  for (;;) {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix })).catch(() => undefined);
    const keys = (page?.Contents ?? []).map((object) => ({ Key: object.Key }));
    if (keys.length === 0) return;
    await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
}

async function multipartUploadsUnder(prefix: string): Promise<Array<{ Key?: string; UploadId?: string }>> {
  const page = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix })).catch(() => undefined);
  return page?.Uploads ?? [];
}

async function objectNamesUnder(prefix: string): Promise<string[]> {
  const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key ?? '').sort();
}

async function openStore(prefix: string, extra: { partSizeBytes?: number; clock?: Clock } = {}): Promise<BlobStore> {
  return openS3BlobStore({ ...settings, bucket, prefix, ...extra });
}

blobStoreContract('S3 (Ceph RGW)', async () => {
  const prefix = newPrefix();
  const store = await openStore(prefix);
  return { store, cleanup: () => emptyPrefix(prefix) };
});

interface RecordedCommand {
  name: string;
  input: Record<string, unknown>;
}

/** A store whose every S3 request is recorded (command name and input). */
function recordingStore(prefix: string, extra: { partSizeBytes?: number } = {}): { store: BlobStore; commands: RecordedCommand[] } {
  const client = createS3Client(settings);
  const commands: RecordedCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push({ name: context.commandName ?? '?', input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandsForTests' },
  );
  return { store: s3BlobStoreOnClient({ client, bucket, prefix, ...extra }), commands };
}

const named = (commands: readonly RecordedCommand[], name: string): RecordedCommand[] => commands.filter((command) => command.name === name);

describe('S3 BlobStore', { timeout: 180_000 }, () => {
  let prefix: string;
  let store: BlobStore;
  let commands: RecordedCommand[];

  beforeEach(() => {
    prefix = newPrefix();
    ({ store, commands } = recordingStore(prefix));
  });
  afterEach(async () => {
    await store.close();
    await emptyPrefix(prefix);
  });

  /** Creates an upload, puts the parts (announcing their sizes) and returns what completing it did. */
  const completeWithParts = async (parts: readonly Buffer[]): Promise<{ key: string; completion: RecordedCommand[] }> => {
    const { uploadId } = await store.createUpload();
    await Promise.all(parts.map((data, position) => store.putPart({ uploadId, index: position + 1, body: streamOf(data), sizeBytes: data.length })));
    const before = commands.length;
    const { key, sizeBytes } = await store.completeUpload({ uploadId, indexes: parts.map((_, position) => position + 1) });
    assert.equal(
      sizeBytes,
      parts.reduce((total, part) => total + part.length, 0),
    );
    return { key, completion: commands.slice(before) };
  };

  describe('completing staged uploads', () => {
    it('parts of 5 MiB and more are assembled by S3 itself: copied part by part, no byte read back by the server', async () => {
      const parts = [randomData(5 * MiB + 1), randomData(6 * MiB), randomData(100)];
      const { key, completion } = await completeWithParts(parts);
      assert.equal(named(completion, 'UploadPartCopyCommand').length, 3);
      assert.equal(named(completion, 'UploadPartCommand').length, 0);
      assert.equal(named(completion, 'GetObjectCommand').length, 0);
      assert.equal(named(completion, 'CompleteMultipartUploadCommand').length, 1);
      assert.equal(sha256(await readAll(await store.get({ key }))), sha256(Buffer.concat(parts)));
    });

    it('small parts are concatenated through the server into one streamed part', async () => {
      const parts = [randomData(100), randomData(1), randomData(70 * KiB), randomData(33)];
      const { key, completion } = await completeWithParts(parts);
      const uploads = named(completion, 'UploadPartCommand');
      assert.equal(uploads.length, 1);
      assert.equal(uploads[0].input.ContentLength, 100 + 1 + 70 * KiB + 33);
      assert.equal(named(completion, 'GetObjectCommand').length, 4);
      assert.deepEqual(await readAll(await store.get({ key })), Buffer.concat(parts));
    });

    it('a small part before a large one: 5 MiB pass through the server, S3 copies the rest', async () => {
      const parts = [randomData(KiB), randomData(20 * MiB), randomData(KiB)];
      const { key, completion } = await completeWithParts(parts);
      const uploads = named(completion, 'UploadPartCommand');
      assert.deepEqual(
        uploads.map((command) => command.input.ContentLength),
        [5 * MiB],
      );
      const copies = named(completion, 'UploadPartCopyCommand');
      assert.deepEqual(
        copies.map((command) => command.input.CopySourceRange),
        [`bytes=${5 * MiB - KiB}-${20 * MiB - 1}`, undefined],
      );
      const data = Buffer.concat(parts);
      assert.equal(sha256(await readAll(await store.get({ key }))), sha256(data));
      const edge = 5 * MiB;
      assert.deepEqual(await readAll(await store.get({ key, range: { start: edge - 3, end: edge + 2 } })), data.subarray(edge - 3, edge + 3));
    });

    it('an upload whose parts are all empty completes as an empty blob', async () => {
      const { key } = await completeWithParts([Buffer.alloc(0), Buffer.alloc(0)]);
      assert.equal((await readAll(await store.get({ key }))).length, 0);
    });

    it('completion removes the staged parts and the marker: only the blob is left under the prefix', async () => {
      const { key } = await completeWithParts([randomData(10), randomData(20)]);
      assert.deepEqual(await objectNamesUnder(prefix), [`${prefix}blobs/${key}`]);
      assert.deepEqual(await multipartUploadsUnder(prefix), []);
    });

    it('abortUpload removes the staged parts, the marker and the multipart upload', async () => {
      const { uploadId } = await store.createUpload();
      await store.putPart({ uploadId, index: 1, body: streamOf(randomData(100)), sizeBytes: 100 });
      await store.putPart({ uploadId, index: 2, body: streamOf(randomData(100)) });
      await store.abortUpload({ uploadId });
      assert.deepEqual(await objectNamesUnder(prefix), []);
      assert.deepEqual(await multipartUploadsUnder(prefix), []);
    });
  });

  describe('staged parts', () => {
    it('a part of unannounced size larger than a buffered part is stored through a multipart write', async () => {
      ({ store, commands } = recordingStore(prefix, { partSizeBytes: 5 * MiB }));
      const { uploadId } = await store.createUpload();
      const data = randomData(11 * MiB + 5);
      const stored = await store.putPart({ uploadId, index: 7, body: asyncChunksOf(data) });
      assert.equal(stored.sizeBytes, data.length);
      assert.equal(named(commands, 'UploadPartCommand').length, 3);
      assert.equal(sha256(await readAll(await store.getPart({ uploadId, index: 7 }))), sha256(data));
      const { key } = await store.completeUpload({ uploadId, indexes: [7] });
      assert.equal(sha256(await readAll(await store.get({ key }))), sha256(data));
    });

    it('a part shorter than announced is refused as TRUNCATED_BODY, a longer one as BAD_REQUEST, and neither is stored', async () => {
      const { uploadId } = await store.createUpload();
      await assertRejectsWithCode(store.putPart({ uploadId, index: 1, body: streamOf(randomData(10)), sizeBytes: 11 }), 'TRUNCATED_BODY');
      await assertRejectsWithCode(store.putPart({ uploadId, index: 1, body: streamOf(randomData(12)), sizeBytes: 11 }), 'BAD_REQUEST');
      await assertRejectsWithCode(store.getPart({ uploadId, index: 1 }), 'NOT_FOUND');
      await store.abortUpload({ uploadId });
    });

    it('an announced part whose body fails midway is refused quickly and the previous version stays', async () => {
      const { uploadId } = await store.createUpload();
      const original = randomData(1_000);
      await store.putPart({ uploadId, index: 1, body: streamOf(original), sizeBytes: original.length });
      const started = Date.now();
      const failure = new Error('connection reset by client');
      await assert.rejects(store.putPart({ uploadId, index: 1, body: failingBody(2 * MiB, failure), sizeBytes: 4 * MiB }), (error) => error === failure);
      assert.ok(Date.now() - started < 5_000, 'the S3 request is abandoned at once, not left waiting for bytes');
      assert.deepEqual(await readAll(await store.getPart({ uploadId, index: 1 })), original);
      await store.abortUpload({ uploadId });
    });

    it('an upload id is all a server needs: another store instance continues and completes the upload', async () => {
      const { uploadId } = await store.createUpload();
      const first = randomData(5 * MiB + 10);
      await store.putPart({ uploadId, index: 1, body: streamOf(first), sizeBytes: first.length });
      const otherServer = await openStore(prefix);
      try {
        const second = randomData(10);
        await otherServer.putPart({ uploadId, index: 2, body: streamOf(second), sizeBytes: second.length });
        const { key } = await otherServer.completeUpload({ uploadId, indexes: [1, 2] });
        assert.equal(sha256(await readAll(await store.get({ key }))), sha256(Buffer.concat([first, second])));
      } finally {
        await otherServer.close();
      }
    });

    it('upload ids and keys this store did not issue are NOT_FOUND, and never reach outside the prefix', async () => {
      const { uploadId } = await store.createUpload();
      const [key] = uploadId.split('.');
      const hostile = [
        '',
        'no-such-upload',
        '../../x',
        `${key}`,
        `${key}.`,
        `${key}.!!!`,
        `${'0'.repeat(32)}.${Buffer.from('nope').toString('base64url')}`,
        `../${uploadId}`,
      ];
      for (const id of hostile) {
        await assertRejectsWithCode(store.putPart({ uploadId: id, index: 1, body: streamOf(Buffer.from('x')) }), 'NOT_FOUND');
        await assertRejectsWithCode(store.getPart({ uploadId: id, index: 1 }), 'NOT_FOUND');
        await assertRejectsWithCode(store.completeUpload({ uploadId: id, indexes: [1] }), 'NOT_FOUND');
      }
      for (const blobKey of ['../x', '', `${prefix}blobs/${key}`, 'A'.repeat(32)]) {
        await assertRejectsWithCode(store.get({ key: blobKey }), 'NOT_FOUND');
        await assertRejectsWithCode(store.delete(blobKey), 'NOT_FOUND');
      }
      await store.abortUpload({ uploadId });
    });
  });

  describe('put', () => {
    it('a body longer than one buffered part becomes a multipart upload with bounded parts', async () => {
      ({ store, commands } = recordingStore(prefix, { partSizeBytes: 5 * MiB }));
      const data = randomData(12 * MiB + 1);
      const stored = await store.put({ body: streamOf(data, 256 * KiB) });
      assert.equal(stored.sizeBytes, data.length);
      assert.deepEqual(
        named(commands, 'UploadPartCommand').map((command) => command.input.ContentLength),
        [5 * MiB, 5 * MiB, 2 * MiB + 1],
      );
      assert.equal(named(commands, 'PutObjectCommand').length, 0);
      assert.equal(sha256(await readAll(await store.get({ key: stored.key }))), sha256(data));
      assert.deepEqual(await multipartUploadsUnder(prefix), []);
    });

    it('a body that fails after several parts leaves no object and no multipart upload behind', async () => {
      ({ store, commands } = recordingStore(prefix, { partSizeBytes: 5 * MiB }));
      await assert.rejects(store.put({ body: failingBody(11 * MiB, new Error('connection reset')) }));
      assert.ok(named(commands, 'UploadPartCommand').length >= 1, 'the multipart path was taken');
      assert.equal(named(commands, 'AbortMultipartUploadCommand').length, 1);
      assert.deepEqual(await multipartUploadsUnder(prefix), []);
      assert.deepEqual(await objectNamesUnder(prefix), []);
      assert.equal(await store.sweepTemporary({ olderThanMs: 0 }), 0);
    });

    it('aborting the signal after several parts rejects with its reason and aborts the multipart upload', async () => {
      ({ store, commands } = recordingStore(prefix, { partSizeBytes: 5 * MiB }));
      const controller = new AbortController();
      const reason = new Error('client went away');
      const putting = store.put({ body: stalledBody(12 * MiB), signal: controller.signal });
      while (named(commands, 'UploadPartCommand').length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort(reason);
      await assert.rejects(putting, (error) => error === reason);
      assert.deepEqual(await multipartUploadsUnder(prefix), []);
      assert.deepEqual(await objectNamesUnder(prefix), []);
    });

    it('a client connection reset is the body’s failure, passed on as it is, not S3 being unavailable', async () => {
      const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      await assert.rejects(store.put({ body: failingBody(6 * MiB, reset) }), (error) => error === reset);
      await assert.rejects(store.put({ body: failingBody(10 * MiB, reset) }), (error) => error === reset);
      const { uploadId } = await store.createUpload();
      await assert.rejects(store.putPart({ uploadId, index: 1, body: failingBody(KiB, reset), sizeBytes: 2 * KiB }), (error) => error === reset);
      await assert.rejects(store.putPart({ uploadId, index: 1, body: failingBody(KiB, reset) }), (error) => error === reset);
      await store.abortUpload({ uploadId });
    });

    it('everything the store writes is under its prefix', async () => {
      await store.put({ body: streamOf(randomData(10)) });
      const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
      const names = (page.Contents ?? []).map((object) => object.Key ?? '');
      assert.ok(names.some((name) => name.startsWith(`${prefix}blobs/`)));
      assert.ok(
        names.every((name) => name.startsWith('run-')),
        names.join(', '),
      );
    });
  });

  describe('sweepTemporary', () => {
    it('aborts a stale multipart upload and removes orphaned staged parts, but leaves open staged uploads alone', async () => {
      const { uploadId } = await store.createUpload();
      await store.putPart({ uploadId, index: 1, body: streamOf(randomData(100)), sizeBytes: 100 });
      // What a crashed put leaves behind: a multipart upload for a blob that never completed.
      const crashedKey = `${prefix}blobs/${randomBytes(16).toString('hex')}`;
      await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: crashedKey }));
      // What a part arriving after its upload closed leaves behind: a staged object without an upload.
      const orphan = `${prefix}uploads/${randomBytes(16).toString('hex')}/part-1`;
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: orphan, Body: 'late part' }));
      // S3 times have whole seconds: a sweep whose Clock runs a minute ahead sees both as old, at once.
      const sweeper = await openStore(prefix, { clock: { now: () => Date.now() + 60_000 } });

      assert.equal(await sweeper.sweepTemporary({ olderThanMs: 0 }), 2);
      assert.deepEqual(
        (await multipartUploadsUnder(prefix)).map((upload) => upload.Key),
        [`${prefix}blobs/${uploadId.split('.')[0]}`],
      );
      assert.ok(!(await objectNamesUnder(prefix)).includes(orphan));
      const { key } = await store.completeUpload({ uploadId, indexes: [1] });
      assert.equal((await readAll(await store.get({ key }))).length, 100);
      assert.equal(await sweeper.sweepTemporary({ olderThanMs: 0 }), 0);
      await sweeper.close();
    });

    it('leaves leftovers younger than the limit', async () => {
      await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}blobs/${randomBytes(16).toString('hex')}` }));
      assert.equal(await store.sweepTemporary({ olderThanMs: 60 * 60 * 1000 }), 0);
      assert.equal((await multipartUploadsUnder(prefix)).length, 1);
    });

    it('refuses a negative age', async () => {
      await assertRejectsWithCode(store.sweepTemporary({ olderThanMs: -1 }), 'BAD_REQUEST');
    });
  });

  it('a signal aborted before createUpload rejects with its reason', async () => {
    const reason = new Error('cancelled');
    await assert.rejects(store.createUpload({ signal: abortedSignal(reason) }), (error) => error === reason);
  });
});
