// Holds a reader to a rate (bytes per second) by sleeping when it runs ahead of schedule: the
// `--max-mib-per-second` of `datafiles verify`, so that a check beside a live server does not
// starve it of disk or network. Hand-written because it is a few lines: the schedule is simply
// "byte n is due at start + n / rate", started when the pacer is made. A reader that fell behind
// (a slow disk, a pause between blobs) earns at most one second of credit, so a pause is never
// followed by a burst above the rate for longer than that.
import type { Clock } from '../ports/clock.js';

const MAX_CREDIT_MS = 1_000;

export class Pacer {
  private startedAt: number;
  private bytes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly bytesPerSecond: number | undefined,
  ) {
    this.startedAt = clock.now();
  }

  async consumed(bytes: number): Promise<void> {
    if (this.bytesPerSecond === undefined) return;
    this.bytes += bytes;
    const due = this.startedAt + (this.bytes / this.bytesPerSecond) * 1000;
    const wait = due - this.clock.now();
    if (wait > 0) await this.sleep(wait);
    else if (-wait > MAX_CREDIT_MS) this.startedAt += -wait - MAX_CREDIT_MS;
  }
}
