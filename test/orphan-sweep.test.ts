// Issue 11 item 5: "orphaned blobs (bytes with no row, e.g. after a crash between the blob write
// and the metadata commit) are swept, as the README promises" (docs/decisions.md 95). Real stores
// (disk and S3 on the project's RGW, with SQLite for the rows); the sweep's "now" is a Clock the
// test moves, so nothing waits for bytes to age.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openDiskBlobStore } from '../src/adapters/blob/diskBlobStore.js';
import { openS3BlobStore } from '../src/adapters/blob/s3/s3BlobStore.js';
import { newRevision } from '../src/adapters/metadata/contract/support.js';
import { openSqliteMetadataStore } from '../src/adapters/metadata/openSqliteMetadataStore.js';
import { isDomainError } from '../src/core/errors.js';
import { sweepOrphanedBlobs } from '../src/core/files/orphanedBlobs.js';
import type { BlobStore } from '../src/core/ports/blobStore.js';
import type { MetadataStore } from '../src/core/ports/metadataStore.js';
import { runSql } from './support/metadataSql.js';
import { ensureRgw } from './support/rgw.js';
import { API, api, fileForm, startTestServer, type TestServer } from './support/server.js';
import { storedBytesOf } from './support/storedBytes.js';
import { waitFor } from './support/waitFor.js';
import { ManualClock } from './support/sessionWorld.js';

const HOUR_MS = 60 * 60 * 1000;
const GRACE_MS = 24 * HOUR_MS;

async function exists(blobs: BlobStore, key: string): Promise<boolean> {
  try {
    (await blobs.get({ key })).destroy();
    return true;
  } catch (error) {
    if (isDomainError(error, 'NOT_FOUND')) return false;
    throw error;
  }
}

const BACKENDS: { name: string; open(): Promise<{ blobs: BlobStore; release(): Promise<void> }> }[] = [
  {
    name: 'disk',
    async open() {
      const root = await mkdtemp(path.join(tmpdir(), 'datafiles-orphans-'));
      return { blobs: await openDiskBlobStore({ root }), release: () => rm(root, { recursive: true, force: true }) };
    },
  },
  {
    name: 'S3 (Ceph RGW)',
    async open() {
      const settings = await ensureRgw();
      const blobs = await openS3BlobStore({ ...settings, bucket: 'datafiles-test-orphans', prefix: `run-${randomBytes(6).toString('hex')}/` });
      return { blobs, release: async () => {} };
    },
  },
];

for (const backend of BACKENDS) {
  describe(`orphaned blobs are swept: ${backend.name}`, () => {
    let blobs: BlobStore;
    let metadata: MetadataStore;
    let release: () => Promise<void>;
    const put = async () => (await blobs.put({ body: Readable.from([randomBytes(1024)]) })).key;

    before(async () => {
      ({ blobs, release } = await backend.open());
      metadata = await openSqliteMetadataStore({ path: ':memory:' });
    });
    after(async () => {
      for await (const key of blobs.listBlobs({ writtenBefore: Date.now() + HOUR_MS })) await blobs.delete(key);
      await blobs.close();
      await metadata.close();
      await release();
    });

    it('keeps a young orphan; removes it once older than the grace period; keeps every blob a revision names', async () => {
      const owner = await metadata.principals.createUser({ name: 'owner', isAdmin: false, createdAt: Date.now() });
      // Bytes stored, then a crash before the row: an orphan.
      const orphan = await put();
      // A file whose revision names its blob.
      const referenced = await put();
      await metadata.files.createFile({
        name: 'kept',
        description: '',
        ownerId: owner.id,
        publicAccess: false,
        createdAt: Date.now(),
        revision: newRevision(owner.id, { blobKey: referenced }),
      });
      // One blob named by two revisions (a copy), one of which is then deleted: still referenced.
      const shared = await put();
      const file = await metadata.files.createFile({
        name: 'shared',
        description: '',
        ownerId: owner.id,
        publicAccess: false,
        createdAt: Date.now(),
        revision: newRevision(owner.id, { blobKey: shared }),
      });
      await metadata.files.addRevision({ fileId: file.file.id, revision: newRevision(owner.id, { blobKey: shared }) });
      await metadata.files.deleteRevision({ fileId: file.file.id, revisionId: file.currentRevision.id });
      assert.deepEqual(await metadata.files.referencedBlobKeys([shared]), new Set([shared]));

      const clock = new ManualClock(Date.now());
      const sweep = () => sweepOrphanedBlobs({ blobs, metadata, clock }, { graceMs: GRACE_MS });

      // Everything is young: nothing goes, the orphan included (it may be a write about to commit).
      assert.equal(await sweep(), 0);
      assert.deepEqual(await Promise.all([orphan, referenced, shared].map((key) => exists(blobs, key))), [true, true, true]);

      // Two days later: the orphan is old and goes; the blobs rows name stay, however old.
      clock.advance(2 * GRACE_MS);
      assert.equal(await sweep(), 1);
      assert.equal(await exists(blobs, orphan), false, 'the orphan was not removed');
      assert.deepEqual(await Promise.all([referenced, shared].map((key) => exists(blobs, key))), [true, true]);
    });

    it('asks the database once per batch of the listing, and stops at a batch it could not check, leaving the rest to the next sweep (docs/decisions.md 183)', async () => {
      const owner = await metadata.principals.createUser({ name: 'batches', isAdmin: false, createdAt: Date.now() });
      const orphans = await Promise.all(Array.from({ length: 4 }, put));
      const named = await Promise.all(Array.from({ length: 3 }, put));
      for (const blobKey of named) {
        await metadata.files.createFile({
          name: blobKey,
          description: '',
          ownerId: owner.id,
          publicAccess: false,
          createdAt: Date.now(),
          revision: newRevision(owner.id, { blobKey }),
        });
      }
      let questions = 0;
      let failNext = true;
      const counted: MetadataStore = {
        ...metadata,
        files: {
          ...metadata.files,
          referencedBlobKeys: async (keys) => {
            questions += 1;
            if (failNext && keys.some((key) => orphans.includes(key))) {
              failNext = false;
              throw new Error('the database went away for a moment');
            }
            return metadata.files.referencedBlobKeys(keys);
          },
        },
      };
      const clock = new ManualClock(Date.now() + 2 * GRACE_MS);
      const sweep = () => sweepOrphanedBlobs({ blobs, metadata: counted, clock }, { graceMs: GRACE_MS, batchSize: 3 });
      const ours = [...orphans, ...named];
      const stored = async () => (await Promise.all(ours.map((key) => exists(blobs, key)))).filter(Boolean).length;

      // Every blob the store lists is swept (earlier tests' included): ceil(listed / 3) questions.
      let listed = 0;
      for await (const _key of blobs.listBlobs({ writtenBefore: clock.now() - GRACE_MS })) listed += 1;
      const firstRemoved = await sweep();
      assert.ok(firstRemoved < orphans.length, 'the batch whose question failed kept its orphans');
      assert.ok(questions <= Math.ceil(listed / 3), 'no question after the failed one');
      questions = 0;
      assert.equal(await sweep(), orphans.length - firstRemoved, 'the next sweep removes the rest');
      assert.equal(questions, Math.ceil((listed - firstRemoved) / 3), 'one question per batch of 3');
      assert.deepEqual(await Promise.all(orphans.map((key) => exists(blobs, key))), [false, false, false, false]);
      assert.equal(await stored(), named.length, 'every blob a revision names stays');
    });
  });
}

describe('the server sweeps orphaned blobs at start-up', () => {
  it('a restarted server removes the blob no revision names and keeps the one two revisions share', async () => {
    const args = ['--orphan-grace-ms', '0'];
    const first = await startTestServer({ args });
    let second: TestServer | undefined;
    const stored = storedBytesOf(first);
    try {
      const upload = async (name: string, content: string) => {
        const response = await api(first, first.adminToken, `${API}?name=${name}`, { method: 'POST', body: fileForm(content, name, 'text/plain') });
        assert.equal(response.status, 200, await response.clone().text());
        return ((await response.json()) as { dataFileId: number }).dataFileId;
      };
      const kept = await upload('kept.txt', 'the bytes that stay\n');
      const orphaned = await upload('orphaned.txt', 'bytes whose row will name other bytes\n');
      assert.equal((await stored.blobs()).length, 2);
      // What a crash between the blob write and the commit leaves, made on purpose: the second
      // file's row now names the first file's blob (shared, as by a copy), and its own blob is named by no row.
      const copied = ['blob_key', 'size_bytes', 'md5', 'sha256'].map((column) => `${column} = (select ${column} from revisions where file_id = ?)`).join(', ');
      await runSql(first, `update revisions set ${copied} where file_id = ?`, [kept, kept, kept, kept, orphaned]);
      await first.stop();

      second = await startTestServer({ dataDir: first.dataDir, backend: first.backend, args });
      await waitFor(async () => (await stored.blobs()).length === 1, { what: 'the start-up sweep to remove the orphan', timeoutMs: 20_000 });
      for (const fileId of [kept, orphaned]) {
        const download = await api(second, second.adminToken, `${API}/${fileId}`);
        assert.equal(download.status, 200);
        assert.equal(await download.text(), 'the bytes that stay\n');
      }
    } finally {
      stored.close();
      await second?.kill();
      await first.cleanup();
    }
  });
});
