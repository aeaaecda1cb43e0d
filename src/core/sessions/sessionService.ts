// spec: "Multi-part Files API": upload sessions, their parts, commit and abort (docs/decisions.md
// 22–25), free of HTTP and SQL. Sessions and parts live behind the same ports as files (the
// metadata store records them, the blob store stages the bytes), so they survive a restart; the
// state machine is explicit and every change of state is a compare-and-set in the metadata store:
//
//   OPEN ──commit──► COMMITTING ──► COMMITTED
//     │                  │ (a failure before assembly gives it back: OPEN)
//     ├──abort──► ABORTED ◄─┘ (a failure after assembly: the parts are consumed)
//     └──idle > TTL──► EXPIRED
// A closed session's parts are removed after the state change, then marked released; the sweep
// removes those of sessions where that never happened (sessionSweep.ts).
import { Readable } from 'node:stream';
import { DomainError, isDomainError } from '../errors.js';
import type { Caller, SessionPart, UploadSessionRecord } from '../model.js';
import type { ByteSource } from '../ports/blobStore.js';
import { PartHasher, parseExpectedChecksum, type ByteTap } from './partChecksum.js';
import { parsePartIndex } from './partIndex.js';
import { recordPartVersion } from './partVersions.js';
import { commitSession, parseCommitExpectations, type CommitResult } from './sessionCommit.js';
import { isSessionIdShaped, newPartVersion, newSessionId } from './sessionIds.js';
import { committedAnswer, sessionClosed, tooManySessions, validateSessionFields } from './sessionRules.js';
import { releaseParts, sweepSessions, type SweepResult } from './sessionSweep.js';
import { WholeFileHasher } from './wholeFileHasher.js';

import { DEFAULT_COMMIT_TIMING, type CommitTiming, type SessionServiceDeps, type SessionView } from './sessionTypes.js';
export type { CommitTiming, SessionLog, SessionServiceDeps, SessionView } from './sessionTypes.js';

export type { CommitResult, SweepResult };

/** A part being received by this process (so a commit or abort can stop it and wait for it). */
interface PartInFlight {
  controller: AbortController;
  done: Promise<unknown>;
}

export class SessionService {
  private readonly hasher: WholeFileHasher;
  private readonly timing: CommitTiming;
  private readonly partsInFlight = new Map<string, Set<PartInFlight>>();
  private readonly commitsInFlight = new Map<string, Promise<CommitResult>>();

  constructor(private readonly deps: SessionServiceDeps) {
    this.timing = { ...DEFAULT_COMMIT_TIMING, ...deps.commitTiming };
    this.hasher = new WholeFileHasher(({ uploadId, index, version, signal }) => deps.blobs.getPart({ uploadId, index, version, signal }), deps.hasher, {
      log: deps.log,
    });
  }

  /** spec: "Creating a Multi-part Upload Session": returns the new session. */
  async create(input: { caller: Caller; name: unknown; description?: unknown; contentType: unknown }): Promise<UploadSessionRecord> {
    return this.open({ ...input, fileId: null });
  }

  /** spec: "Creating a Multi-part Upload Update Session": its commit adds a revision; needs READ_WRITE. */
  async createForUpdate(input: { caller: Caller; fileId: number; name: unknown; description?: unknown; contentType: unknown }): Promise<UploadSessionRecord> {
    const fields = validateSessionFields(input);
    await this.deps.files.requireFile(input.caller, input.fileId, 'write');
    return this.open({ ...input, ...fields });
  }

  /**
   * spec: "Uploading File Parts". Streams the body to the blob store while measuring it; a part
   * whose SHA-256 differs from `checksum` is refused before it replaces anything (docs/decisions.md 8).
   */
  async putPart(input: {
    caller: Caller;
    sessionId: string;
    index: string | number;
    body: ByteSource;
    /** The announced length (Content-Length), if any. */
    sizeBytes?: number;
    checksum?: string;
    signal?: AbortSignal;
  }): Promise<SessionPart> {
    const index = parsePartIndex(input.index);
    const expectedSha256 = parseExpectedChecksum(input.checksum);
    if (input.sizeBytes !== undefined && input.sizeBytes > this.deps.maxPartBytes) {
      throw new DomainError('PAYLOAD_TOO_LARGE', `A part may be at most ${this.deps.maxPartBytes} bytes.`);
    }
    // Checked before reading the body, so a closed or a stranger's session costs no bytes.
    const session = await this.openSessionOf(input.caller, input.sessionId);

    const controller = new AbortController();
    const signal = input.signal ? AbortSignal.any([input.signal, controller.signal]) : controller.signal;
    const { tap, newFold } = this.hasher.partStarted({ sessionId: session.id, uploadId: session.blobUploadId, index });
    if (newFold && index > 1) this.rememberStoredParts(session.id);
    const work = this.receivePart({ session, index, body: input.body, sizeBytes: input.sizeBytes, expectedSha256, tap, signal });
    const inFlight: PartInFlight = { controller, done: work.catch(() => undefined) };
    const sessionParts = this.partsInFlight.get(session.id) ?? new Set<PartInFlight>();
    sessionParts.add(inFlight);
    this.partsInFlight.set(session.id, sessionParts);
    try {
      return await work;
    } catch (error) {
      this.hasher.partFailed({ sessionId: session.id, tap });
      throw await this.explainPartFailure(session.id, error);
    } finally {
      sessionParts.delete(inFlight);
      if (sessionParts.size === 0 && this.partsInFlight.get(session.id) === sessionParts) this.partsInFlight.delete(session.id);
    }
  }

  /**
   * spec: "Completing a Multi-part Upload": assembles parts 1..N into a new file, or a new revision
   * of the update session's file, and returns its ids. docs/decisions.md 23: "A commit retried after
   * success returns the same {dataFileId, revisionId}; concurrent commits yield one revision."
   */
  async commit(input: { caller: Caller; sessionId: string; totalParts?: unknown; sha256?: unknown }): Promise<CommitResult> {
    const expectations = parseCommitExpectations(input);
    // The wait is counted in polls slept, not read off a clock: a pinned test Clock would never let it end (docs/decisions.md 96).
    let waitedMs = 0;
    for (;;) {
      const session = await this.ownSession(input.caller, input.sessionId);
      switch (session.state) {
        case 'COMMITTED':
          return committedAnswer(session);
        case 'ABORTED':
        case 'EXPIRED':
          throw sessionClosed(session.state);
        case 'COMMITTING': {
          // The loser of a race waits for the winner, then answers as a retry would.
          const local = this.commitsInFlight.get(session.id);
          if (local) {
            await local.catch(() => undefined);
            continue;
          }
          if (this.deps.clock.now() - session.updatedAt > this.timing.staleMs) {
            // Its committer died (a crash mid-commit): give the session back and commit it here.
            await this.deps.metadata.sessions.transitionSession({
              id: session.id,
              from: 'COMMITTING',
              to: 'OPEN',
              at: this.deps.clock.now(),
              unchangedSince: session.updatedAt,
            });
            continue;
          }
          if (waitedMs >= this.timing.waitMs) throw new DomainError('CONFLICT', 'Another commit of this session is in progress; try again shortly.');
          await delay(this.timing.pollMs);
          waitedMs += this.timing.pollMs;
          continue;
        }
        case 'OPEN': {
          if (this.isPastExpiry(session)) {
            await this.expire(session);
            throw sessionClosed('EXPIRED');
          }
          const committing = await this.deps.metadata.sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'COMMITTING', at: this.deps.clock.now() });
          if (!committing) continue; // Someone else moved it first: look again.
          const work = this.runCommit(input.caller, committing, expectations);
          this.commitsInFlight.set(session.id, work);
          try {
            return await work;
          } finally {
            this.commitsInFlight.delete(session.id);
          }
        }
      }
    }
  }

  /** spec: "Error Handling and Retry Mechanism": abort removes the parts; later parts and commits are 409. */
  async abort(input: { caller: Caller; sessionId: string }): Promise<void> {
    for (;;) {
      const session = await this.ownSession(input.caller, input.sessionId);
      if (session.state === 'COMMITTED') throw sessionClosed(session.state);
      if (session.state === 'COMMITTING') {
        const stale = !this.commitsInFlight.has(session.id) && this.deps.clock.now() - session.updatedAt > this.timing.staleMs;
        if (!stale) throw new DomainError('SESSION_CLOSED', 'The upload session is being committed; it can no longer be aborted.');
        if (
          !(await this.deps.metadata.sessions.transitionSession({
            id: session.id,
            from: 'COMMITTING',
            to: 'ABORTED',
            at: this.deps.clock.now(),
            unchangedSince: session.updatedAt,
          }))
        )
          continue;
      } else if (session.state === 'OPEN') {
        if (!(await this.deps.metadata.sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'ABORTED', at: this.deps.clock.now() }))) continue;
      }
      // ABORTED or EXPIRED already: aborting again is harmless and removes anything left behind.
      await this.discardParts(session);
      return;
    }
  }

  /** docs/decisions.md 25: the session's state and its uploaded parts, so a client can resume. */
  async get(input: { caller: Caller; sessionId: string }): Promise<SessionView> {
    let session = await this.ownSession(input.caller, input.sessionId);
    if (session.state === 'OPEN' && this.isPastExpiry(session)) {
      await this.expire(session);
      session = await this.ownSession(input.caller, input.sessionId);
    }
    const removed = session.state === 'ABORTED' || session.state === 'EXPIRED';
    return { session, parts: removed ? [] : await this.deps.metadata.sessions.listParts(session.id) };
  }

  /**
   * docs/decisions.md 24: expires sessions idle longer than the TTL and removes their parts; then
   * removes the parts that closed sessions left behind (a crash between closing and removing).
   */
  async sweepExpired(options: { signal?: AbortSignal } = {}): Promise<SweepResult> {
    return sweepSessions({
      ...this.deps,
      now: this.deps.clock.now(),
      // A session closed less than staleMs ago may still be releasing its parts (an abort first
      // stops the parts arriving, here or on another server): the sweep would race it. A closer
      // that has not marked them released by then crashed or failed.
      closedGraceMs: this.timing.staleMs,
      // docs/decisions.md 51: the lease a live committer renews every staleMs / 4 (sessionCommit.ts).
      commitLeaseMs: this.timing.staleMs,
      // What expire() does before removing the parts, for the sessions the sweep expires itself.
      closing: (session) => this.closeParts(session),
      signal: options.signal,
    });
  }

  /** The whole-file hash cache (exposed for tests and diagnostics). */
  get wholeFileHasher(): WholeFileHasher {
    return this.hasher;
  }

  private async open(input: {
    caller: Caller;
    fileId: number | null;
    name: unknown;
    description?: unknown;
    contentType: unknown;
  }): Promise<UploadSessionRecord> {
    const { name, description, contentType } = validateSessionFields(input);
    const now = this.deps.clock.now();
    const limit = this.deps.maxOpenPerUser;
    // Checked first so that a refused flood stages nothing; createSession checks again, atomically.
    if (limit !== undefined && (await this.deps.metadata.sessions.countOpenSessions({ ownerId: input.caller.user.id, now })) >= limit) {
      throw tooManySessions(limit);
    }
    const { uploadId } = await this.deps.blobs.createUpload();
    const session: UploadSessionRecord = {
      id: newSessionId(),
      ownerId: input.caller.user.id,
      fileId: input.fileId,
      name,
      description,
      contentType,
      state: 'OPEN',
      blobUploadId: uploadId,
      createdAt: now,
      updatedAt: now,
      expiresAt: now + this.deps.ttlMs,
      committedFileId: null,
      committedRevisionId: null,
      partsReleased: false,
    };
    try {
      await this.deps.metadata.sessions.createSession(session, { maxOpenPerOwner: limit });
    } catch (error) {
      await this.deps.blobs.abortUpload({ uploadId }).catch(() => undefined);
      throw error;
    }
    return session;
  }

  private async receivePart(input: {
    session: UploadSessionRecord;
    index: number;
    body: ByteSource;
    sizeBytes?: number;
    expectedSha256?: string;
    tap?: ByteTap;
    signal: AbortSignal;
  }): Promise<SessionPart> {
    const { session, index } = input;
    const hasher = new PartHasher({
      expectedSha256: input.expectedSha256,
      maxBytes: this.deps.maxPartBytes,
      tap: input.tap,
      hasher: this.deps.hasher,
      // A part hashed as it arrives is the whole-file hash's progress itself; the others wait
      // while the whole-file hash is far behind (item 7: keep the commit's own hashing small).
      throttle: input.tap ? undefined : () => this.hasher.backlogWait(session.id),
    });
    const source = input.body instanceof Readable ? input.body : Readable.from(input.body);
    // A failing body fails the hasher (and so the store's write, which then discards its temporary
    // file); a checksum mismatch or an oversized part fails the hasher itself, with the same effect.
    // Unlike pipeline(), a failing hasher does not destroy the body: that would cut the client's
    // connection before it hears why (413, 400); what is left of it is the HTTP layer's business.
    source.once('error', (error) => hasher.destroy(error));
    hasher.once('error', () => source.unpipe(hasher));
    const measuredBody = source.pipe(hasher);
    // docs/decisions.md 50: every write of a part is a new version beside the others, so this
    // write, however late, never changes the bytes of the version a commit has recorded.
    const blobVersion = newPartVersion();
    const uploadId = session.blobUploadId;
    await this.deps.blobs.putPart({ uploadId, index, version: blobVersion, body: measuredBody, sizeBytes: input.sizeBytes, signal: input.signal });
    const measured = hasher.measured();
    const uploadedAt = this.deps.clock.now();
    const part = { index, sizeBytes: measured.sizeBytes, sha256: measured.sha256, uploadedAt, blobVersion };
    // docs/decisions.md 24: sessions expire when *idle*, so every part pushes the expiry back.
    await recordPartVersion(this.deps, { sessionId: session.id, uploadId, part, expiresAt: uploadedAt + this.deps.ttlMs });
    this.hasher.partStored({ sessionId: session.id, part, tap: input.tap });
    return part;
  }

  /** The store refuses parts of an upload that is gone: say why, in the session's terms. */
  private async explainPartFailure(sessionId: string, error: unknown): Promise<unknown> {
    if (!isDomainError(error, 'NOT_FOUND')) return error;
    const session = await this.deps.metadata.sessions.getSession(sessionId).catch(() => undefined);
    return sessionClosed(session && session.state !== 'OPEN' ? session.state : 'ABORTED');
  }

  private async runCommit(caller: Caller, session: UploadSessionRecord, expectations: ReturnType<typeof parseCommitExpectations>): Promise<CommitResult> {
    // Parts still arriving here are stopped (and answered 409) or finish first; either way the
    // commit then sees a settled set of parts.
    await this.stopPartsInFlight(session.id, 'The upload session is being committed; this part was not stored.');
    const result = await commitSession({
      metadata: this.deps.metadata,
      blobs: this.deps.blobs,
      files: this.deps.files,
      clock: this.deps.clock,
      hasher: this.hasher,
      log: this.deps.log,
      heartbeatMs: Math.max(250, Math.floor(this.timing.staleMs / 4)),
      caller,
      session,
      expectations,
    });
    this.hasher.forget(session.id);
    return result;
  }

  private async ownSession(caller: Caller, sessionId: string): Promise<UploadSessionRecord> {
    // docs/decisions.md 24: "A session belongs to its creator; others get 404."
    if (!isSessionIdShaped(sessionId)) throw new DomainError('SESSION_NOT_FOUND');
    const session = await this.deps.metadata.sessions.getSession(sessionId);
    if (!session || session.ownerId !== caller.user.id) throw new DomainError('SESSION_NOT_FOUND');
    return session;
  }

  /** The caller's session, if it still takes parts; else 404 or 409. */
  private async openSessionOf(caller: Caller, sessionId: string): Promise<UploadSessionRecord> {
    const session = await this.ownSession(caller, sessionId);
    if (session.state !== 'OPEN') throw sessionClosed(session.state);
    if (this.isPastExpiry(session)) {
      // Not swept yet, but expired all the same: a part now would be removed by the next sweep.
      await this.expire(session);
      throw sessionClosed('EXPIRED');
    }
    return session;
  }

  private isPastExpiry(session: UploadSessionRecord): boolean {
    return session.expiresAt < this.deps.clock.now();
  }

  /** OPEN → EXPIRED, then removes the parts. False if the session was no longer OPEN. */
  private async expire(session: UploadSessionRecord): Promise<boolean> {
    const expired = await this.deps.metadata.sessions.transitionSession({ id: session.id, from: 'OPEN', to: 'EXPIRED', at: this.deps.clock.now() });
    if (!expired) return false;
    await this.discardParts(session);
    return true;
  }

  private async discardParts(session: UploadSessionRecord): Promise<void> {
    await this.closeParts(session);
    await releaseParts(this.deps, session);
  }

  /** A closed session's parts: no longer hashed ahead, and those still arriving are refused. */
  private async closeParts(session: UploadSessionRecord): Promise<void> {
    this.hasher.forget(session.id);
    await this.stopPartsInFlight(session.id, 'The upload session was closed; this part was not stored.');
  }

  private async stopPartsInFlight(sessionId: string, message: string): Promise<void> {
    const parts = [...(this.partsInFlight.get(sessionId) ?? [])];
    for (const part of parts) part.controller.abort(new DomainError('SESSION_CLOSED', message));
    await Promise.all(parts.map((part) => part.done));
  }

  /** After a restart (or on another server) the parts stored so far can still be hashed ahead of the commit. */
  private rememberStoredParts(sessionId: string): void {
    this.deps.metadata.sessions.listParts(sessionId).then(
      (parts) => this.hasher.markStored(sessionId, parts),
      (error: unknown) => this.deps.log?.debug?.({ err: error, sessionId }, 'could not list parts to hash ahead'),
    );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
