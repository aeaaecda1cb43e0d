// The FreeSpace port on the local disk (docs/decisions.md 67): statfs of the data directory, the
// bytes available to this (unprivileged) process.
import { statfs } from 'node:fs/promises';
import type { FreeSpace } from '../core/ports/freeSpace.js';

export function diskFreeSpace(directory: string): FreeSpace {
  return {
    async availableBytes() {
      const stats = await statfs(directory);
      return stats.bavail * stats.bsize;
    },
  };
}
