// Composite blobs being read, so that deleting one never pulls the files from under a download
// (issue 10, item 17; docs/decisions.md 52). A composite blob is a directory of part files that a
// read opens one after another (all at once would cost a descriptor per part: 10,000 for the
// largest upload), so deleting the directory mid-read used to end the download with ENOENT at the
// next part. Now a delete that finds readers moves the directory out of the blob tree (the blob is
// gone for every new read at once) into tmp/, tells the readers where it went, and leaves its
// removal to the last reader; the start-up sweep of tmp/ removes it if the process dies first.
// In-process bookkeeping is enough: one process owns a data directory (the disk store is the
// embedded deployment's).
//
// The move is announced before the rename and settled after it (docs/decisions.md 181): between
// the rename's system call and the code after it, a reader can already find its next part
// missing at the old place while its directory is not yet updated; it waits for the move to
// settle instead of failing the download.
import { rm } from 'node:fs/promises';
import { DomainError } from '../../core/errors.js';
import { isMissingPathError } from './fileSystemErrors.js';

interface Entry {
  readers: number;
  /** Where the blob's directory is now: its place in the blob tree, or tmp/ once deleted. */
  directory: string;
  /** Deleted while read: remove `directory` when the last reader is done. */
  removeWhenIdle: boolean;
}

export interface BlobReader {
  /** The directory of the blob's files now (it moves once if the blob is deleted meanwhile). */
  directory(): string;
  /**
   * Runs `work` on the blob's directory; if it finds a file missing because a delete is moving
   * or has moved the directory, once more at the new place (a blob is deleted at most once).
   */
  follow<T>(work: (directory: string) => Promise<T>): Promise<T>;
  /** The read is over (idempotent). */
  release(): void;
}

/** A delete's move of one blob's directory, announced before its rename. */
export interface BlobMove {
  /**
   * The rename is done and the directory is now `doomed` (undefined: it did not happen). True if
   * the blob is being read: the readers follow it and the last one removes it; false if the
   * caller should remove it now.
   */
  settle(doomed: string | undefined): boolean;
}

const isMissing = (error: unknown) => isMissingPathError(error) || (error instanceof DomainError && error.code === 'NOT_FOUND');

export class BlobReaders {
  private readonly entries = new Map<string, Entry>();
  /** Moves announced and not yet settled, by key: what a reader that finds a file missing awaits. */
  private readonly moves = new Map<string, Set<Promise<void>>>();

  constructor(private readonly onRemoveFailed: (error: unknown, directory: string) => void = () => undefined) {}

  /** Registers a read of the composite blob `key`, whose directory is `directory`. */
  acquire(key: string, directory: string): BlobReader {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { readers: 0, directory, removeWhenIdle: false };
      this.entries.set(key, entry);
    }
    entry.readers += 1;
    const held = entry;
    let released = false;
    return {
      directory: () => held.directory,
      follow: async (work) => {
        const directory = held.directory;
        try {
          return await work(directory);
        } catch (error) {
          if (!isMissing(error)) throw error;
          await this.movesSettled(key);
          if (held.directory === directory) throw error;
          return work(held.directory);
        }
      },
      release: () => {
        if (released) return;
        released = true;
        held.readers -= 1;
        if (held.readers > 0) return;
        if (this.entries.get(key) === held) this.entries.delete(key);
        if (held.removeWhenIdle) rm(held.directory, { recursive: true, force: true }).catch((error: unknown) => this.onRemoveFailed(error, held.directory));
      },
    };
  }

  /** A delete is about to move the blob `key`'s directory out of the blob tree; call before the rename. */
  moving(key: string): BlobMove {
    let settled!: () => void;
    const done = new Promise<void>((resolve) => (settled = resolve));
    // Two deletes of one key at once: a reader waits for both (the second finds nothing to move).
    let pending = this.moves.get(key);
    if (!pending) this.moves.set(key, (pending = new Set()));
    const own = pending;
    own.add(done);
    let over = false;
    return {
      settle: (doomed) => {
        if (over) return false;
        over = true;
        const beingRead = doomed !== undefined && this.deleted(key, doomed);
        own.delete(done);
        if (own.size === 0 && this.moves.get(key) === own) this.moves.delete(key);
        settled();
        return beingRead;
      },
    };
  }

  /** Until every move of `key` announced so far has settled. */
  private async movesSettled(key: string): Promise<void> {
    const pending = this.moves.get(key);
    if (pending) await Promise.all(pending);
  }

  /**
   * The blob `key` was just moved out of the blob tree to `doomed`. True if it is being read: the
   * readers follow it there and the last one removes it; false if the caller should remove it now.
   */
  private deleted(key: string, doomed: string): boolean {
    const entry = this.entries.get(key);
    if (!entry || entry.readers === 0) return false;
    entry.directory = doomed;
    entry.removeWhenIdle = true;
    // A new read of the same key finds nothing in the blob tree; it must not join this entry.
    this.entries.delete(key);
    return true;
  }

  /** How many blobs are being read (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /** How many blobs have a move announced and not settled (for tests). */
  get unsettledMoves(): number {
    return this.moves.size;
  }
}
