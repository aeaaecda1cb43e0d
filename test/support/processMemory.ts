// Reads a process's memory from /proc (Linux): current resident set and its high-water mark.
import { readFile } from 'node:fs/promises';

export const MiB = 1024 * 1024;

export async function memoryOf(pid: number): Promise<{ rssBytes: number; peakRssBytes: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/**
 * Samples a process's RSS every `intervalMs` until stopped; returns the highest seen and the
 * kernel's own high-water mark (VmHWM, which also catches what falls between two samples).
 */
export function sampleMemory(pid: number, intervalMs = 50): { stop(): Promise<{ highestRssBytes: number; peakRssBytes: number }> } {
  let highestRssBytes = 0;
  let peakRssBytes = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const memory = await memoryOf(pid);
        highestRssBytes = Math.max(highestRssBytes, memory.rssBytes);
        peakRssBytes = Math.max(peakRssBytes, memory.peakRssBytes);
      } catch {
        return; // the process is gone
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { highestRssBytes, peakRssBytes };
    },
  };
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the highest seen. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): Promise<number> } {
  const sampler = sampleMemory(pid, intervalMs);
  return { stop: async () => (await sampler.stop()).highestRssBytes };
}
