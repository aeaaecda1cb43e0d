// The commit of a session that this process has moved to COMMITTING (compare-and-set, so no other
// commit runs it at the same time): check the parts, hash the whole file, assemble it in the blob
// store, record the file or revision, then COMMITTED with the answer a retried commit returns.
import { commitSurelyFailed } from '../files/commitOutcome.js';
import { DomainError, isDomainError } from '../errors.js';
import type { FileService } from '../files/fileService.js';
import type { Caller, NewRevision, SessionPart, SessionState, UploadSessionRecord } from '../model.js';
import type { BlobStore, StoredBlob } from '../ports/blobStore.js';
import type { Clock } from '../ports/clock.js';
import type { Hasher } from '../ports/hasher.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import { FIRST_PART_INDEX, LAST_PART_INDEX, missingPartIndexes } from './partIndex.js';
import { releaseParts } from './sessionSweep.js';
import type { WholeFileDigest, WholeFileHasher } from './wholeFileHasher.js';

export interface CommitResult {
  fileId: number;
  revisionId: number;
}

/** docs/decisions.md 23: "The commit body may carry optional totalParts and sha256 (whole file), checked when present." */
export interface CommitExpectations {
  totalParts?: number;
  sha256?: string;
}

export function parseCommitExpectations(input: { totalParts?: unknown; sha256?: unknown }): CommitExpectations {
  const expectations: CommitExpectations = {};
  if (input.totalParts !== undefined && input.totalParts !== null) {
    const value = typeof input.totalParts === 'string' && /^[0-9]{1,6}$/.test(input.totalParts) ? Number(input.totalParts) : input.totalParts;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < FIRST_PART_INDEX || value > LAST_PART_INDEX) {
      throw new DomainError('BAD_REQUEST', `totalParts must be an integer from ${FIRST_PART_INDEX} to ${LAST_PART_INDEX}.`);
    }
    expectations.totalParts = value;
  }
  if (input.sha256 !== undefined && input.sha256 !== null) {
    if (typeof input.sha256 !== 'string' || !/^[0-9A-Fa-f]{64}$/.test(input.sha256.trim())) {
      throw new DomainError('BAD_REQUEST', "sha256 must be the whole file's SHA-256: 64 hex digits.");
    }
    expectations.sha256 = input.sha256.trim().toUpperCase();
  }
  return expectations;
}

export interface CommitSessionInput {
  metadata: MetadataStore;
  blobs: BlobStore;
  files: FileService;
  clock: Clock;
  hasher: WholeFileHasher;
  log?: { warn(object: object, message: string): void };
  /** How often the COMMITTING state is renewed, so a long commit is not mistaken for a dead one. */
  heartbeatMs: number;
  caller: Caller;
  /** The session, already COMMITTING on behalf of this call. */
  session: UploadSessionRecord;
  expectations: CommitExpectations;
}

export async function commitSession(input: CommitSessionInput): Promise<CommitResult> {
  const { session, metadata, blobs } = input;
  const lease = holdCommitLease(input);
  let assembled: StoredBlob;
  let digest: WholeFileDigest;
  try {
    const parts = await metadata.sessions.listParts(session.id);
    assertCommittable(parts, input.expectations);
    // docs/decisions.md 17: an update session's revision needs READ_WRITE, checked again now (grants
    // may have changed since the session was created) and before anything is assembled.
    if (session.fileId !== null) await input.files.requireFile(input.caller, session.fileId, 'write');
    digest = await input.hasher.digest({ sessionId: session.id, uploadId: session.blobUploadId, parts, signal: lease.signal });
    if (input.expectations.sha256 !== undefined && input.expectations.sha256 !== digest.sha256) {
      throw new DomainError(
        'CHECKSUM_MISMATCH',
        `The assembled file's SHA-256 is ${digest.sha256}, not the ${input.expectations.sha256} the commit names; nothing was committed.`,
      );
    }
    lease.signal.throwIfAborted();
    // docs/decisions.md 50: exactly the versions recorded, hashed above; no later write changes them.
    assembled = await blobs.completeUpload({
      uploadId: session.blobUploadId,
      indexes: parts.map((part) => part.index),
      versions: parts.map((part) => part.blobVersion),
      signal: lease.signal,
    });
  } catch (error) {
    lease.stop();
    // Taken over as stale (this process stalled for minutes): the session is no longer ours to move.
    if (lease.signal.aborted) throw lease.signal.reason;
    if (isDomainError(error, 'NOT_FOUND')) {
      // The staged parts are gone (an earlier commit that crashed after assembling them): this
      // session can never be committed; close it so the client starts over.
      await settle(input, 'ABORTED');
      throw new DomainError('SESSION_CLOSED', "The session's parts are no longer stored; start a new session.", { cause: error });
    }
    // Nothing was assembled, so every part is still staged: the session goes back to OPEN, and the
    // client can put the problem right (send a missing part, fix totalParts…) and commit again.
    await settle(input, 'OPEN');
    throw error;
  }

  let result: CommitResult;
  try {
    // Parts replaced behind our back between hashing and assembly (another server, racing the
    // commit) would make the digest wrong; a size that disagrees is the sign: hash what was built.
    if (assembled.sizeBytes !== digest.sizeBytes) digest = await hashBlob(blobs, assembled.key, input.hasher.engine);
    result = await recordFile(input, assembled.key, digest);
  } catch (error) {
    lease.stop();
    // completeUpload consumed the staged parts, so this session cannot be committed again: the
    // session is closed (ABORTED); the client starts a new one. The assembled blob is removed if
    // the file's row surely was not written; if it may yet be (docs/decisions.md 142), it stays
    // for the orphan sweep.
    if (commitSurelyFailed(error))
      await blobs
        .delete(assembled.key)
        .catch((cause: unknown) => input.log?.warn({ err: cause, blobKey: assembled.key }, 'could not delete an assembled blob'));
    await settle(input, 'ABORTED');
    throw error;
  }
  lease.stop();
  await markCommitted(input, result);
  return result;
}

/** docs/decisions.md 23: "Commit needs parts 1..N with no gap (400 names the missing indexes)." */
function assertCommittable(parts: readonly SessionPart[], expectations: CommitExpectations): void {
  if (parts.length === 0) throw new DomainError('NO_PARTS');
  const indexes = parts.map((part) => part.index);
  const missingParts = missingPartIndexes(indexes, expectations.totalParts);
  if (missingParts.length > 0) {
    const shown = missingParts.length > 20 ? `${missingParts.slice(0, 20).join(', ')}, …` : missingParts.join(', ');
    throw new DomainError('MISSING_PARTS', `The session is missing part${missingParts.length === 1 ? '' : 's'} ${shown}.`, { details: { missingParts } });
  }
  if (expectations.totalParts !== undefined && expectations.totalParts !== parts.length) {
    throw new DomainError('BAD_REQUEST', `The session has ${parts.length} parts, not the ${expectations.totalParts} totalParts names.`);
  }
}

async function recordFile(input: CommitSessionInput, blobKey: string, digest: WholeFileDigest): Promise<CommitResult> {
  const { session, caller } = input;
  const finishedAt = input.clock.now();
  const revision: NewRevision = {
    blobKey,
    sizeBytes: digest.sizeBytes,
    md5: digest.md5,
    sha256: digest.sha256,
    // docs/decisions.md 13: "For a multipart session, the session's declared contentType".
    contentType: session.contentType,
    uploadUserId: caller.user.id,
    // docs/decisions.md 11 ("how long the server took to receive and store that revision"), for a
    // session: from its creation to the end of its commit.
    uploadTimeMillis: Math.max(0, finishedAt - session.createdAt),
    uploadedAt: finishedAt,
    scanState: 'NOT_SCANNED',
  };
  if (session.fileId === null) {
    const { file, currentRevision } = await input.metadata.files.createFile({
      name: session.name,
      description: session.description,
      ownerId: caller.user.id,
      publicAccess: false,
      createdAt: finishedAt,
      revision,
    });
    return { fileId: file.id, revisionId: currentRevision.id };
  }
  const added = await input.files.addStoredRevision({ caller, fileId: session.fileId, revision });
  return { fileId: added.fileId, revisionId: added.id };
}

/** The file exists now; recording the answer is retried a little, since a retried commit reads it. */
async function markCommitted(input: CommitSessionInput, result: CommitResult): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await input.metadata.sessions.transitionSession({
        id: input.session.id,
        from: 'COMMITTING',
        to: 'COMMITTED',
        at: input.clock.now(),
        committedFileId: result.fileId,
        committedRevisionId: result.revisionId,
        // completeUpload consumed the staged upload: no part is left to remove.
        partsReleased: true,
      });
      return;
    } catch (error) {
      if (attempt >= 3) {
        input.log?.warn({ err: error, sessionId: input.session.id, ...result }, 'committed a session but could not record it as COMMITTED');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/**
 * Moves the session out of COMMITTING after a failed commit; a failure here is only logged (a later
 * commit takes a stale session over). ABORTED comes with the staged upload gone already (consumed
 * by the assembly, or found missing); releasing it removes any straggler and marks the session
 * released, and if that fails the sweep does it later, like for any aborted session.
 */
async function settle(input: CommitSessionInput, to: SessionState): Promise<void> {
  try {
    await input.metadata.sessions.transitionSession({ id: input.session.id, from: 'COMMITTING', to, at: input.clock.now() });
  } catch (error) {
    input.log?.warn({ err: error, sessionId: input.session.id, to }, 'could not move a session out of COMMITTING');
  }
  if (to === 'ABORTED') {
    await releaseParts(input, input.session).catch((error: unknown) =>
      input.log?.warn({ err: error, sessionId: input.session.id }, 'could not remove the parts of an aborted session'),
    );
  }
}

/**
 * Renews COMMITTING (a COMMITTING → COMMITTING transition updates its time) while the commit runs,
 * so that only a commit whose process died looks stale to others. If the session is no longer
 * COMMITTING, someone took it over: the signal aborts this commit's reads.
 */
function holdCommitLease(input: CommitSessionInput): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const timer = setInterval(() => {
    input.metadata.sessions
      .transitionSession({ id: input.session.id, from: 'COMMITTING', to: 'COMMITTING', at: input.clock.now() })
      .then((renewed) => {
        if (!renewed) controller.abort(new DomainError('CONFLICT', 'The commit was taken over by another request; commit again.'));
      })
      .catch((error: unknown) => input.log?.warn({ err: error, sessionId: input.session.id }, 'could not renew a commit in progress'));
  }, input.heartbeatMs);
  timer.unref();
  return { signal: controller.signal, stop: () => clearInterval(timer) };
}

/** The fallback second pass: the MD5 and SHA-256 of an assembled blob. */
async function hashBlob(blobs: BlobStore, key: string, hasher: Hasher): Promise<WholeFileDigest> {
  const digest = hasher.stream(['md5', 'sha256']);
  let sizeBytes = 0;
  try {
    for await (const chunk of await blobs.get({ key })) {
      await digest.update(chunk);
      sizeBytes += chunk.length;
    }
  } catch (error) {
    digest.abort();
    throw error;
  }
  return { sizeBytes, ...(await digest.finish()) };
}
