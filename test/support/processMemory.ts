// Reads a process's memory from /proc (Linux): current resident set and its high-water mark.
import { readFile } from 'node:fs/promises';

export const MiB = 1024 * 1024;

export async function memoryOf(pid: number): Promise<{ rssBytes: number; peakRssBytes: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the highest seen. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): Promise<number> } {
  let highest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        highest = Math.max(highest, (await memoryOf(pid)).rssBytes);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return highest;
    },
  };
}
