// Composite blobs being read, so that deleting one never pulls the files from under a download
// (issue 10, item 17; docs/decisions.md 52). A composite blob is a directory of part files that a
// read opens one after another (all at once would cost a descriptor per part: 10,000 for the
// largest upload), so deleting the directory mid-read used to end the download with ENOENT at the
// next part. Now a delete that finds readers moves the directory out of the blob tree (the blob is
// gone for every new read at once) into tmp/, tells the readers where it went, and leaves its
// removal to the last reader; the start-up sweep of tmp/ removes it if the process dies first.
// In-process bookkeeping is enough: one process owns a data directory (the disk store is the
// embedded deployment's).
import { rm } from 'node:fs/promises';

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
  /** The read is over (idempotent). */
  release(): void;
}

export class BlobReaders {
  private readonly entries = new Map<string, Entry>();

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

  /**
   * The blob `key` was just moved out of the blob tree to `doomed`. True if it is being read: the
   * readers follow it there and the last one removes it; false if the caller should remove it now.
   */
  deleted(key: string, doomed: string): boolean {
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
}
