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

/** Sessions closed (or released) per statement; a batch holds the database and the event loop briefly. */
const SWEEP_BATCH = 100;
/** Staged uploads removed at once: on S3 each takes a few requests, one after another. */
const RELEASE_LANES = 8;

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
 * Expires the OPEN sessions past their expiry and removes their parts, then releases the parts of
 * the sessions closed more than `closedGraceMs` before `now` that still hold them. A batch at a
 * time (docs/decisions.md 179): one statement expires up to SWEEP_BATCH sessions, their staged
 * uploads are removed a few at once, one statement records which are gone. A session whose parts
 * cannot be removed is logged and left unreleased: the later part of a sweep past the grace
 * period tries it again. With `signal` aborted the sweep stops between batches.
 */
export async function sweepSessions(
  deps: PartReleaseDeps & {
    now: number;
    closedGraceMs: number;
    /** A COMMITTING session not renewed for this long lost its committer (CommitTiming.staleMs). */
    commitLeaseMs: number;
    /** Told of each session the sweep has just expired, before its parts go (stops the parts in flight). */
    closing?: (session: UploadSessionRecord) => Promise<void>;
    signal?: AbortSignal;
  },
): Promise<SweepResult> {
  // First, so that a rolled-back session already past its expiry is expired by this same sweep.
  const rolledBack = await rollBackStaleCommits(deps, deps.now - deps.commitLeaseMs);
  let expired = 0;
  while (!deps.signal?.aborted) {
    const batch = await deps.metadata.sessions.expireSessions({ now: deps.now, at: deps.now, limit: SWEEP_BATCH });
    expired += batch.length;
    await releaseBatch(deps, batch, 'could not remove the parts of an expired upload session');
    if (batch.length < SWEEP_BATCH) break;
  }
  const released = deps.signal?.aborted ? 0 : await releaseLeftoverParts(deps, deps.now - deps.closedGraceMs);
  return { rolledBack, expired, released };
}

/** Removes the sessions' staged uploads, RELEASE_LANES at a time, then marks the removed ones released; how many. */
async function releaseBatch(
  deps: PartReleaseDeps & { closing?: (session: UploadSessionRecord) => Promise<void> },
  sessions: readonly UploadSessionRecord[],
  failure: string,
): Promise<number> {
  const removed: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < sessions.length) {
      const session = sessions[next++];
      try {
        await deps.closing?.(session);
        await deps.blobs.abortUpload({ uploadId: session.blobUploadId });
        removed.push(session.id);
      } catch (error) {
        deps.log?.warn({ err: error, sessionId: session.id }, failure);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(RELEASE_LANES, sessions.length) }, lane));
  if (removed.length > 0) await deps.metadata.sessions.markManyPartsReleased(removed);
  return removed.length;
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
async function releaseLeftoverParts(deps: PartReleaseDeps & { signal?: AbortSignal }, closedBefore: number): Promise<number> {
  let released = 0;
  let after: { updatedAt: number; id: string } | undefined;
  while (!deps.signal?.aborted) {
    const batch = await deps.metadata.sessions.listUnreleasedSessions({ closedBefore, limit: SWEEP_BATCH, after });
    // Long closed: no part is in flight, so nobody is told (`closing`).
    released += await releaseBatch(
      { metadata: deps.metadata, blobs: deps.blobs, log: deps.log },
      batch,
      'could not remove the parts of a closed upload session',
    );
    if (batch.length < SWEEP_BATCH) break;
    const last = batch[batch.length - 1];
    after = { updatedAt: last.updatedAt, id: last.id };
  }
  return released;
}
