// Holds a reader to a rate (bytes per second) by sleeping when it runs ahead of schedule: the
// `--max-mib-per-second` of `datafiles verify`, so that a check beside a live server does not
// starve it of disk or network. Hand-written because it is a few lines: the schedule is simply
// "byte n is due at start + n / rate".
import type { Clock } from '../ports/clock.js';

export class Pacer {
  private startedAt: number | undefined;
  private bytes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly bytesPerSecond: number | undefined,
  ) {}

  async consumed(bytes: number): Promise<void> {
    if (this.bytesPerSecond === undefined) return;
    this.startedAt ??= this.clock.now();
    this.bytes += bytes;
    const due = this.startedAt + (this.bytes / this.bytesPerSecond) * 1000;
    const wait = due - this.clock.now();
    if (wait > 0) await this.sleep(wait);
  }
}
