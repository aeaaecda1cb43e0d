// Large test files on disk, never in memory: written 16 MiB at a time under a temporary directory
// that the caller removes. Used by the browser upload suite and its benchmark (bench/ui/upload.ts).
import { createHash, randomFillSync } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface BigFile {
  path: string;
  size: number;
  /** Upper-case hex, as the server reports it. */
  sha256: string;
}

export interface BigFileDir {
  dir: string;
  /** Writes `size` random bytes to dir/name. */
  make(name: string, size: number): Promise<BigFile>;
  remove(): Promise<void>;
}

export async function bigFileDir(prefix = 'datafiles-big-'): Promise<BigFileDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    dir,
    async make(name, size) {
      const file = path.join(dir, name);
      const hash = createHash('sha256');
      const block = Buffer.allocUnsafe(16 * 1024 * 1024);
      const handle = await open(file, 'w');
      try {
        for (let written = 0; written < size; written += block.length) {
          const piece = block.subarray(0, Math.min(block.length, size - written));
          randomFillSync(piece);
          hash.update(piece);
          await handle.write(piece);
        }
      } finally {
        await handle.close();
      }
      return { path: file, size, sha256: hash.digest('hex').toUpperCase() };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
