// The contract for the scan queue (src/core/ports/scanQueue.ts, docs/decisions.md 85).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanState } from '../../../core/model.js';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { createUser, newRevision, T0 } from './support.js';

const LEASE_MS = 60_000;

async function fileWithRevisions(store: MetadataStore, scanStates: ScanState[]) {
  const owner = await createUser(store);
  const [first, ...rest] = scanStates;
  const created = await store.files.createFile({
    name: 'a.csv',
    description: '',
    ownerId: owner.id,
    publicAccess: false,
    createdAt: T0,
    revision: newRevision(owner.id, { scanState: first }),
  });
  const revisions = [created.currentRevision];
  for (const scanState of rest) revisions.push(await store.files.addRevision({ fileId: created.file.id, revision: newRevision(owner.id, { scanState }) }));
  return { fileId: created.file.id, revisionIds: revisions.map((revision) => revision.id) };
}

export function scansContract(store: () => MetadataStore): void {
  describe('scan queue', () => {
    it('a PENDING revision is claimed once, with its blob, and its verdict is recorded with signature, time and engine', async () => {
      const { fileId, revisionIds } = await fileWithRevisions(store(), ['PENDING', 'NOT_SCANNED']);
      const jobs = await store().scans.claim({ owner: 'a', now: T0, leaseMs: LEASE_MS, limit: 10 });
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0].revisionId, revisionIds[0]);
      assert.equal(jobs[0].fileId, fileId);
      assert.match(jobs[0].blobKey, /^blobs\//);
      assert.ok(jobs[0].sizeBytes > 2 ** 32);
      assert.equal(jobs[0].attempts, 0);
      assert.deepEqual(await store().scans.claim({ owner: 'b', now: T0 + 1, leaseMs: LEASE_MS, limit: 10 }), [], 'leased: nobody else gets it');
      assert.equal(
        await store().scans.record({ revisionId: revisionIds[0], owner: 'b', verdict: { scanState: 'SAFE' }, at: T0 }),
        false,
        'only the lease holder records',
      );
      const recorded = await store().scans.record({
        revisionId: revisionIds[0],
        owner: 'a',
        verdict: { scanState: 'INFECTED', signature: 'Eicar-Test-Signature.UNOFFICIAL' },
        at: T0 + 5,
        engine: 'ClamAV 1.4.6/1/x',
      });
      assert.equal(recorded, true);
      assert.deepEqual(await store().scans.getScan(revisionIds[0]), {
        revisionId: revisionIds[0],
        fileId,
        scanState: 'INFECTED',
        signature: 'Eicar-Test-Signature.UNOFFICIAL',
        scannedAt: T0 + 5,
        engine: 'ClamAV 1.4.6/1/x',
        attempts: 0,
      });
      assert.equal((await store().files.getRevision({ fileId, revisionId: revisionIds[0] }))?.scanState, 'INFECTED');
      assert.equal(await store().scans.getScan(987_654), undefined);
    });

    it('an expired lease lets another claimer take the job; the first can then no longer record', async () => {
      const { revisionIds } = await fileWithRevisions(store(), ['PENDING']);
      assert.equal((await store().scans.claim({ owner: 'dead', now: T0, leaseMs: 1000, limit: 1 })).length, 1);
      const retaken = await store().scans.claim({ owner: 'alive', now: T0 + 1001, leaseMs: 1000, limit: 1 });
      assert.deepEqual(
        retaken.map((job) => job.revisionId),
        revisionIds,
      );
      assert.equal(await store().scans.record({ revisionId: revisionIds[0], owner: 'dead', verdict: { scanState: 'SAFE' }, at: T0 }), false);
      assert.equal(await store().scans.record({ revisionId: revisionIds[0], owner: 'alive', verdict: { scanState: 'SAFE' }, at: T0 }), true);
    });

    it('a retried job waits until it is due, counts its attempts when asked and keeps the last reason', async () => {
      const { revisionIds } = await fileWithRevisions(store(), ['PENDING']);
      const [job] = await store().scans.claim({ owner: 'a', now: T0, leaseMs: LEASE_MS, limit: 1 });
      assert.equal(await store().scans.retry({ revisionId: job.revisionId, owner: 'a', dueAt: T0 + 500, reason: 'timed out', countAttempt: true }), true);
      assert.deepEqual(await store().scans.claim({ owner: 'a', now: T0 + 499, leaseMs: LEASE_MS, limit: 1 }), []);
      const [again] = await store().scans.claim({ owner: 'a', now: T0 + 500, leaseMs: LEASE_MS, limit: 1 });
      assert.equal(again.attempts, 1);
      await store().scans.retry({ revisionId: again.revisionId, owner: 'a', dueAt: T0 + 600, reason: 'clamd unreachable', countAttempt: false });
      const scan = await store().scans.getScan(revisionIds[0]);
      assert.equal(scan?.attempts, 1);
      assert.equal(scan?.reason, 'clamd unreachable');
      assert.equal(scan?.scanState, 'PENDING');
      const [third] = await store().scans.claim({ owner: 'a', now: T0 + 600, leaseMs: LEASE_MS, limit: 1 });
      await store().scans.record({ revisionId: third.revisionId, owner: 'a', verdict: { scanState: 'FAILED', reason: 'too large' }, at: T0 + 700 });
      assert.equal((await store().scans.getScan(revisionIds[0]))?.reason, 'too large');
    });

    it('NOT_SCANNED revisions are enqueued oldest first, in batches; rescans take newest first and skip PENDING ones', async () => {
      const { fileId, revisionIds } = await fileWithRevisions(store(), ['NOT_SCANNED', 'NOT_SCANNED', 'NOT_SCANNED']);
      assert.equal(await store().scans.enqueueUnscanned({ limit: 2, dueAt: T0 }), 2);
      const claimed = await store().scans.claim({ owner: 'a', now: T0, leaseMs: LEASE_MS, limit: 10 });
      assert.deepEqual(
        claimed.map((job) => job.revisionId),
        revisionIds.slice(0, 2),
      );
      assert.equal(await store().scans.enqueueUnscanned({ limit: 10, dueAt: T0 }), 1);
      assert.equal(await store().scans.enqueueUnscanned({ limit: 10, dueAt: T0 }), 0);
      for (const job of claimed) await store().scans.record({ revisionId: job.revisionId, owner: 'a', verdict: { scanState: 'SAFE' }, at: T0 });
      // Revision 3 is still PENDING: a rescan of the file takes the newest scanned one first.
      assert.equal(await store().scans.rescan({ fileId, dueAt: T0, limit: 1 }), 1);
      assert.equal((await store().scans.getScan(revisionIds[1]))?.scanState, 'PENDING');
      assert.equal((await store().scans.getScan(revisionIds[0]))?.scanState, 'SAFE');
      assert.equal(await store().scans.rescan({ dueAt: T0, limit: 100 }), 1);
      assert.equal((await store().scans.getScan(revisionIds[0]))?.scanState, 'PENDING');
    });

    it('after a signature update, SAFE revisions scanned by another engine version are queued again, newest first, a batch at a time', async () => {
      const { revisionIds } = await fileWithRevisions(store(), ['PENDING', 'PENDING', 'PENDING']);
      for (const job of await store().scans.claim({ owner: 'a', now: T0, leaseMs: LEASE_MS, limit: 3 })) {
        const engine = job.revisionId === revisionIds[2] ? 'ClamAV 1.4.6/2' : 'ClamAV 1.4.6/1';
        await store().scans.record({ revisionId: job.revisionId, owner: 'a', verdict: { scanState: 'SAFE' }, at: T0, engine });
      }
      assert.equal(await store().scans.rescanOutdated({ engine: 'ClamAV 1.4.6/2', dueAt: T0, limit: 1 }), 1);
      assert.deepEqual(await Promise.all(revisionIds.map(async (id) => (await store().scans.getScan(id))?.scanState)), ['SAFE', 'PENDING', 'SAFE']);
      assert.equal(await store().scans.rescanOutdated({ engine: 'ClamAV 1.4.6/2', dueAt: T0, limit: 10 }), 1);
      assert.equal(await store().scans.rescanOutdated({ engine: 'ClamAV 1.4.6/2', dueAt: T0, limit: 10 }), 0);
    });

    it('counts revisions by state, due jobs and leased jobs', async () => {
      await fileWithRevisions(store(), ['PENDING', 'PENDING', 'NOT_SCANNED', 'SAFE']);
      await store().scans.claim({ owner: 'a', now: T0, leaseMs: LEASE_MS, limit: 1 });
      const stats = await store().scans.stats(T0 + 1);
      assert.deepEqual(stats, { byState: { NOT_SCANNED: 1, PENDING: 2, SAFE: 1, INFECTED: 0, FAILED: 0 }, due: 1, leased: 1 });
    });

    it('concurrent claimers never get the same job', async () => {
      await fileWithRevisions(
        store(),
        Array.from({ length: 12 }, (): ScanState => 'PENDING'),
      );
      const claims = await Promise.all(Array.from({ length: 4 }, (_, i) => store().scans.claim({ owner: `s${i}`, now: T0, leaseMs: LEASE_MS, limit: 5 })));
      const ids = claims.flat().map((job) => job.revisionId);
      assert.equal(ids.length, 12);
      assert.equal(new Set(ids).size, 12);
    });
  });
}
