// The MD5 and SHA-256 of a whole multipart upload without a second pass over its bytes at commit
// (docs/history.md, issue 3, item 7). Hashes cannot be combined from pieces, so for each session this process keeps
// a running hash over the contiguous prefix of parts 1..k already folded in:
//   - a part that streams in while it is next in line (k+1) is fed, as its bytes pass, into a copy
//     (`Hash.copy()`) of the running state, which is adopted once the part is stored;
//   - a part that arrives early waits; when it becomes next in line it is read back from the store
//     in the background (on disk, from the page cache it was just written through);
//   - at commit, whatever is not folded yet is read from the store.
// The running hashes come from the hashing engine it is given (src/core/ports/hasher.ts; in a
// server, worker threads beside the event loop). This is only a cache: another server of a scale-out deployment, or a restart, does not have it,
// and then the commit reads the parts it lacks (a correct second pass). Correctness never depends
// on it: the commit uses a folded prefix only if the parts it folded (index, size, SHA-256 of each)
// are exactly the parts the metadata store lists, compared through a running "chain" hash of those
// triples. Memory is bounded: a few hash states and a window of pending part numbers per session,
// for at most `maxSessions` sessions (least recently used are dropped).
import { createHash } from 'node:crypto';
import { DomainError } from '../errors.js';
import { HashingFailed, type Digests, type Hasher } from '../ports/hasher.js';
import type { ByteTap } from './partChecksum.js';
import { chainEntry, chainOf, copyState, LiveTap, type HashState, type PartSummary } from './foldState.js';

export type { PartSummary };

export type ReadPart = (input: { uploadId: string; index: number; version?: string; signal?: AbortSignal }) => Promise<AsyncIterable<Uint8Array>>;

export interface WholeFileDigest {
  sizeBytes: number;
  /** Upper-case hex (docs/decisions.md 3). */
  sha256: string;
  md5: string;
}

interface Fold {
  sessionId: string;
  uploadId: string;
  state: HashState;
  /** Parts stored (here, or as listed by the metadata store) but not folded yet, within the window. */
  pending: Map<number, PartSummary>;
  /** The part being hashed as it streams in (always index through + 1). */
  live?: LiveTap;
  /** The background read in progress, and the index it reads. */
  busy?: Promise<void>;
  folding?: number;
  background?: AbortController;
  /** Greater than zero while a commit computes the digest: no background work, no live taps. */
  paused: number;
  /** Parts held back until the background catches up (see `backlogWait`). */
  backlogWaiters: Array<() => void>;
}

const DEFAULT_MAX_SESSIONS = 256;
/**
 * Parts stored ahead of the folded prefix, and foldable now, beyond which a session's other
 * incoming parts wait for the background to catch up. On a machine short of CPU this keeps the
 * whole-file hash abreast of the upload (the upload slows a little), so the commit only has this
 * much left to hash instead of whatever the upload outran it by.
 */
const MAX_BACKLOG_BYTES = 32 * 1024 * 1024;
const MAX_BACKLOG_PARTS = 64;
/** Pending parts further than this ahead of the folded prefix are not tracked (the commit reads them). */
const PENDING_WINDOW = 1024;

export class WholeFileHasher {
  private readonly folds = new Map<string, Fold>();
  private readonly maxSessions: number;
  private readonly log?: { debug?(object: object, message: string): void };

  constructor(
    private readonly readPart: ReadPart,
    /** Computes the running MD5 and SHA-256 (and, at commit, anything else the session needs hashed). */
    readonly engine: Hasher,
    options: { maxSessions?: number; log?: { debug?(object: object, message: string): void } } = {},
  ) {
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.log = options.log;
  }

  private freshState(): HashState {
    return { bytes: this.engine.running(), chain: createHash('sha256'), through: 0, sizeBytes: 0 };
  }

  /**
   * Part `index` begins to stream in. Returns a tap to feed its bytes into when it is next in line,
   * and whether this process knew nothing of the session yet (the caller may then `markStored` the
   * parts the metadata store already lists).
   */
  partStarted(input: { sessionId: string; uploadId: string; index: number }): { tap?: ByteTap; newFold: boolean } {
    let fold = this.touch(input.sessionId);
    // Replacing a part already folded (or being folded) invalidates the running hash.
    if (fold && (input.index <= fold.state.through || fold.live?.index === input.index || fold.folding === input.index)) {
      this.forget(input.sessionId);
      fold = undefined;
    }
    let newFold = false;
    if (!fold) {
      fold = { sessionId: input.sessionId, uploadId: input.uploadId, state: this.freshState(), pending: new Map(), paused: 0, backlogWaiters: [] };
      this.folds.set(input.sessionId, fold);
      this.evictBeyondLimit();
      newFold = true;
    }
    fold.pending.delete(input.index);
    if (fold.state.through === input.index - 1 && !fold.live && !fold.busy && fold.paused === 0) {
      fold.live = new LiveTap(input.index, fold.state);
      return { tap: fold.live, newFold };
    }
    return { newFold };
  }

  /** The part is stored and recorded: adopt its live hash, or remember it for a background read. */
  partStored(input: { sessionId: string; part: PartSummary; tap?: ByteTap }): void {
    const fold = this.folds.get(input.sessionId);
    const { part } = input;
    const tap = input.tap instanceof LiveTap ? input.tap : undefined;
    if (fold && tap && fold.live === tap) {
      fold.live = undefined;
      if (fold.state.through === part.index - 1 && tap.sizeBytes === part.sizeBytes && !tap.failed) {
        fold.state.bytes.dispose();
        fold.state.bytes = tap.bytes;
        fold.state.chain.update(chainEntry(part));
        fold.state.through = part.index;
        fold.state.sizeBytes += part.sizeBytes;
        this.advance(fold);
        return;
      }
    }
    tap?.bytes.dispose();
    if (!fold) return;
    if (part.index <= fold.state.through) {
      this.forget(input.sessionId);
      return;
    }
    if (part.index - fold.state.through <= PENDING_WINDOW) fold.pending.set(part.index, part);
    this.advance(fold);
  }

  /** The part failed (its old version, if any, stays): drop its live hash. */
  partFailed(input: { sessionId: string; tap?: ByteTap }): void {
    if (!(input.tap instanceof LiveTap)) return;
    input.tap.bytes.dispose();
    const fold = this.folds.get(input.sessionId);
    if (!fold || fold.live !== input.tap) return;
    fold.live = undefined;
    this.advance(fold);
  }

  /** Parts the metadata store lists (e.g. stored before a restart), so they can be folded too. */
  markStored(sessionId: string, parts: readonly PartSummary[]): void {
    const fold = this.folds.get(sessionId);
    if (!fold) return;
    for (const part of parts) {
      const ahead = part.index - fold.state.through;
      if (ahead < 1 || ahead > PENDING_WINDOW || fold.pending.has(part.index) || fold.live?.index === part.index) continue;
      fold.pending.set(part.index, part);
    }
    this.advance(fold);
  }

  /**
   * Called for each chunk of a part that is not hashed as it arrives: a promise when the session's
   * background hashing is more than MAX_BACKLOG_BYTES behind, resolved once it has caught up half
   * way. Only while the background is actually working through stored parts, so it cannot wait
   * for anything but reads of parts already stored.
   */
  backlogWait(sessionId: string): Promise<void> | undefined {
    const fold = this.folds.get(sessionId);
    if (!fold || fold.paused > 0 || !fold.busy || !this.backlogOver(fold, MAX_BACKLOG_BYTES)) return undefined;
    return new Promise<void>((resolve) => fold.backlogWaiters.push(resolve));
  }

  /**
   * The digest of parts `parts` (exactly 1..N, as the metadata store lists them), in index order.
   * Uses the folded prefix if it is exactly those parts, then reads the rest from the store,
   * checking each against its recorded size and SHA-256 (a part replaced meanwhile is a CONFLICT).
   */
  async digest(input: { sessionId: string; uploadId: string; parts: readonly PartSummary[]; signal?: AbortSignal }): Promise<WholeFileDigest> {
    const fold = this.folds.get(input.sessionId);
    if (!fold) {
      const state = this.freshState();
      try {
        return await this.hashParts({ ...input, state });
      } finally {
        state.bytes.dispose();
      }
    }
    fold.paused += 1;
    this.releaseBacklog(fold);
    try {
      fold.background?.abort();
      await fold.busy?.catch(() => undefined);
      const foldedState = fold.state;
      const { through } = foldedState;
      const usable = through > 0 && through <= input.parts.length && foldedState.chain.copy().digest('hex') === chainOf(input.parts.slice(0, through));
      const state = usable ? copyState(foldedState) : this.freshState();
      try {
        const digest = await this.hashParts({ ...input, state });
        // Kept for a retry if the commit fails later (unless something changed the fold meanwhile).
        if (this.folds.get(input.sessionId) === fold && fold.state === foldedState) {
          fold.state = copyState(state);
          foldedState.bytes.dispose();
          fold.pending.clear();
        }
        return digest;
      } finally {
        state.bytes.dispose();
      }
    } finally {
      fold.paused -= 1;
    }
  }

  /**
   * Adds parts after `state.through` read from the store, each checked against its record. If the
   * hashing engine fails (a worker died), every part is hashed again once, with a fresh state.
   */
  private async hashParts(input: { state: HashState; uploadId: string; parts: readonly PartSummary[]; signal?: AbortSignal }): Promise<WholeFileDigest> {
    try {
      return await this.hashPartsOnce(input);
    } catch (error) {
      if (!(error instanceof HashingFailed)) throw error;
      this.log?.debug?.({ err: error }, 'hashing engine failed; hashing the parts again');
      const again = this.freshState();
      try {
        return await this.hashPartsOnce({ ...input, state: again });
      } finally {
        again.bytes.dispose();
      }
    }
  }

  private async hashPartsOnce(input: { state: HashState; uploadId: string; parts: readonly PartSummary[]; signal?: AbortSignal }): Promise<WholeFileDigest> {
    const { state } = input;
    for (const part of input.parts.slice(state.through)) {
      const partHash = createHash('sha256');
      let sizeBytes = 0;
      for await (const chunk of await this.readPart({ uploadId: input.uploadId, index: part.index, version: part.blobVersion, signal: input.signal })) {
        partHash.update(chunk);
        sizeBytes += chunk.length;
        await state.bytes.update(chunk);
      }
      if (sizeBytes !== part.sizeBytes || partHash.digest('hex').toUpperCase() !== part.sha256) {
        throw new DomainError('CONFLICT', `Part ${part.index} changed while the session was being committed; commit again.`);
      }
      state.chain.update(chainEntry(part));
      state.through = part.index;
      state.sizeBytes += sizeBytes;
    }
    const digests: Digests = await state.bytes.digest();
    return { sizeBytes: state.sizeBytes, ...digests };
  }

  /** Drops what this process knows of the session (committed, aborted, expired, or invalid). */
  forget(sessionId: string): void {
    const fold = this.folds.get(sessionId);
    if (!fold) return;
    this.folds.delete(sessionId);
    fold.background?.abort();
    fold.state.bytes.dispose();
    this.releaseBacklog(fold);
  }

  /** How many sessions are cached (for tests). */
  get size(): number {
    return this.folds.size;
  }

  /** How many leading parts of a session are folded (for tests). */
  foldedThrough(sessionId: string): number {
    return this.folds.get(sessionId)?.state.through ?? 0;
  }

  /** Resolves once no background read is running for the session (for tests). */
  async settled(sessionId: string): Promise<void> {
    for (let fold = this.folds.get(sessionId); fold?.busy; fold = this.folds.get(sessionId)) await fold.busy.catch(() => undefined);
  }

  private touch(sessionId: string): Fold | undefined {
    const fold = this.folds.get(sessionId);
    if (fold) {
      this.folds.delete(sessionId);
      this.folds.set(sessionId, fold);
    }
    return fold;
  }

  private evictBeyondLimit(): void {
    while (this.folds.size > this.maxSessions) {
      const oldest = this.folds.keys().next().value as string;
      this.forget(oldest);
    }
  }

  /** Folds pending parts that are next in line, one at a time, reading them from the store. */
  private advance(fold: Fold): void {
    if (fold.busy || fold.live || fold.paused > 0 || !fold.pending.has(fold.state.through + 1)) return;
    const controller = new AbortController();
    fold.background = controller;
    fold.busy = this.foldPending(fold, controller.signal)
      .catch((error: unknown) => {
        // Harmless: the commit reads whatever is not folded. The part that failed leaves the
        // pending set, so it is not read again at once: retried straight away, a part that is
        // gone (its upload aborted or committed, its version replaced) made this an endless
        // loop, all CPU and no progress (issue 10, item 16). A new arrival starts it again.
        if (fold.folding !== undefined) fold.pending.delete(fold.folding);
        if (!controller.signal.aborted) this.log?.debug?.({ err: error, sessionId: fold.sessionId }, 'background part hashing stopped');
        // A running state on a failed engine is worth nothing: start over (the commit reads the parts).
        if (error instanceof HashingFailed && this.folds.get(fold.sessionId) === fold) this.forget(fold.sessionId);
      })
      .finally(() => {
        fold.busy = undefined;
        fold.folding = undefined;
        if (fold.background === controller) fold.background = undefined;
        if (!controller.signal.aborted && this.folds.get(fold.sessionId) === fold) this.advance(fold);
        // Nothing works through the backlog any more: hold no part back.
        // advance() above may have started a new fold, which TypeScript's narrowing cannot see.
        // eslint-disable-next-line @typescript-eslint/strict-boolean-expressions
        if (!fold.busy) this.releaseBacklog(fold);
      });
  }

  /** Whether the parts stored and foldable right after the folded prefix exceed `limit` bytes. */
  private backlogOver(fold: Fold, limit: number): boolean {
    let bytes = 0;
    for (let index = fold.state.through + 1, count = 0; ; index++, count++) {
      const part = fold.pending.get(index);
      if (!part) return false;
      bytes += part.sizeBytes;
      if (bytes > limit || count >= MAX_BACKLOG_PARTS) return true;
    }
  }

  private releaseBacklog(fold: Fold): void {
    const waiters = fold.backlogWaiters;
    fold.backlogWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async foldPending(fold: Fold, signal: AbortSignal): Promise<void> {
    for (let part = fold.pending.get(fold.state.through + 1); part; part = fold.pending.get(fold.state.through + 1)) {
      if (signal.aborted || fold.live || fold.paused > 0 || this.folds.get(fold.sessionId) !== fold) return;
      fold.folding = part.index;
      const next = copyState(fold.state);
      let adopted = false;
      try {
        let sizeBytes = 0;
        for await (const chunk of await this.readPart({ uploadId: fold.uploadId, index: part.index, version: part.blobVersion, signal })) {
          sizeBytes += chunk.length;
          await next.bytes.update(chunk);
        }
        // Replaced, invalidated or paused while it was read: that read is worth nothing.
        if (signal.aborted || fold.folding !== part.index || this.folds.get(fold.sessionId) !== fold) return;
        fold.folding = undefined;
        if (sizeBytes !== part.sizeBytes) {
          this.forget(fold.sessionId);
          return;
        }
        next.chain.update(chainEntry(part));
        next.through = part.index;
        next.sizeBytes += sizeBytes;
        fold.state.bytes.dispose();
        fold.state = next;
        adopted = true;
        fold.pending.delete(part.index);
        if (fold.backlogWaiters.length > 0 && !this.backlogOver(fold, MAX_BACKLOG_BYTES / 2)) this.releaseBacklog(fold);
      } finally {
        if (!adopted) next.bytes.dispose();
      }
    }
  }
}
