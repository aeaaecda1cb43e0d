// The periodic sweep of upload sessions (docs/decisions.md 24), and how a closed session's parts are
// released. Closing a session (ABORTED, EXPIRED) is a compare-and-set in the metadata store;
// removing its parts from the blob store comes after, and then the session is marked released. A
// crash, or a blob store that fails (S3 briefly down), between the two leaves a closed session
// that still holds parts: the sweep finds those (SessionStore.listUnreleasedSessions) and releases
// them again, abortUpload being idempotent. Nothing outlives its session.
//
// A session left COMMITTING by a committer that died (its lease, renewed by a live committer's
// heartbeat, lapsed) is rolled back to OPEN by the sweep (docs/decisions.md 51): its parts stay
// for the client's retry, and from then on the session expires like any idle one.
import type { UploadSessionRecord } from '../model.js';
import type { BlobStore } from '../ports/blobStore.js';
import type { MetadataStore } from '../ports/metadataStore.js';

const SWEEP_BATCH = 100;

export interface PartReleaseDeps {
  metadata: MetadataStore;
  blobs: BlobStore;
  log?: { warn(object: object, message: string): void };
}

export interface SweepResult {
  /** COMMITTING sessions whose committer died (lease lapsed), rolled back to OPEN. */
  rolledBack: number;
  /** OPEN sessions idle past the TTL, now EXPIRED with their parts removed. */
  expired: number;
  /** Sessions closed earlier whose parts were left behind (a crash or a failure in between), removed now. */
  released: number;
}

/** Removes the session's staged parts, then records that they are gone. */
export async function releaseParts(deps: PartReleaseDeps, session: Pick<UploadSessionRecord, 'id' | 'blobUploadId'>): Promise<void> {
  await deps.blobs.abortUpload({ uploadId: session.blobUploadId });
  await deps.metadata.sessions.markPartsReleased(session.id);
}

/**
 * Expires the OPEN sessions past their expiry (`expire` moves one to EXPIRED and removes its
 * parts; false if it was no longer OPEN), then releases the parts of the sessions closed more
 * than `closedGraceMs` before `now` that still hold them. A session that fails either way is
 * logged and passed over; the next sweep tries it again.
 */
export async function sweepSessions(
  deps: PartReleaseDeps & {
    now: number;
    closedGraceMs: number;
    /** A COMMITTING session not renewed for this long lost its committer (CommitTiming.staleMs). */
    commitLeaseMs: number;
    expire: (session: UploadSessionRecord) => Promise<boolean>;
  },
): Promise<SweepResult> {
  // First, so that a rolled-back session already past its expiry is expired by this same sweep.
  const rolledBack = await rollBackStaleCommits(deps, deps.now - deps.commitLeaseMs);
  let expired = 0;
  for (;;) {
    const batch = await deps.metadata.sessions.listExpiredSessions(deps.now, SWEEP_BATCH);
    for (const session of batch) {
      try {
        if (await deps.expire(session)) expired += 1;
      } catch (error) {
        deps.log?.warn({ err: error, sessionId: session.id }, 'could not expire an upload session');
      }
    }
    if (batch.length < SWEEP_BATCH) break;
  }
  const released = await releaseLeftoverParts(deps, deps.now - deps.closedGraceMs);
  return { rolledBack, expired, released };
}

/**
 * docs/decisions.md 51: COMMITTING → OPEN for each session whose lease lapsed. The compare-and-set
 * also names the renewal it saw, so a committer that renewed meanwhile (alive after all) keeps
 * its session, and of several servers' sweeps one wins. The expiry is left as it was.
 */
async function rollBackStaleCommits(deps: PartReleaseDeps & { now: number }, updatedBefore: number): Promise<number> {
  let rolledBack = 0;
  const tried = new Set<string>();
  for (;;) {
    const batch = (await deps.metadata.sessions.listStaleCommits({ updatedBefore, limit: SWEEP_BATCH })).filter((session) => !tried.has(session.id));
    for (const session of batch) {
      tried.add(session.id);
      try {
        const moved = await deps.metadata.sessions.transitionSession({
          id: session.id,
          from: 'COMMITTING',
          to: 'OPEN',
          at: deps.now,
          unchangedSince: session.updatedAt,
        });
        if (moved) rolledBack += 1;
      } catch (error) {
        deps.log?.warn({ err: error, sessionId: session.id }, 'could not roll back an abandoned commit');
      }
    }
    // Each pass either moves sessions out of the list or marks them tried: it ends.
    if (batch.length === 0) return rolledBack;
  }
}

/** Each unreleased session is tried once: paging goes on past the ones that fail. */
async function releaseLeftoverParts(deps: PartReleaseDeps, closedBefore: number): Promise<number> {
  let released = 0;
  let after: { updatedAt: number; id: string } | undefined;
  for (;;) {
    const batch = await deps.metadata.sessions.listUnreleasedSessions({ closedBefore, limit: SWEEP_BATCH, after });
    for (const session of batch) {
      try {
        await releaseParts(deps, session);
        released += 1;
      } catch (error) {
        deps.log?.warn({ err: error, sessionId: session.id }, 'could not remove the parts of a closed upload session');
      }
    }
    if (batch.length < SWEEP_BATCH) return released;
    const last = batch[batch.length - 1];
    after = { updatedAt: last.updatedAt, id: last.id };
  }
}
