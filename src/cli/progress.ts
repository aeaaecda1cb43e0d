// The live progress bar of uploads and downloads (bytes, rate, ETA), drawn with cli-progress on
// stderr, and only there when stderr is a terminal and the output is for a person (not --json).
import cliProgress from 'cli-progress';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${UNITS[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** Parses "16MiB", "16M", "5GiB", "1048576" into bytes (binary units). */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return undefined;
  const power = ['', 'k', 'm', 'g', 't'].indexOf(match[2].toLowerCase());
  const bytes = Number(match[1]) * 1024 ** power;
  return Number.isSafeInteger(Math.round(bytes)) ? Math.round(bytes) : undefined;
}

/** Bytes per second over the last few seconds, so the rate follows the transfer as it goes. */
export class RateMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];

  constructor(
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(bytes: number): void {
    const at = this.now();
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[1].at > this.windowMs) this.samples.shift();
  }

  /** Bytes per second, or 0 before there is anything to measure. */
  rate(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? (last.bytes - first.bytes) / seconds : 0;
  }
}

export interface Progress {
  update(bytesDone: number): void;
  /** Ends the bar (leaving its last state on screen). */
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

export function createProgress(options: { label: string; totalBytes: number | undefined; enabled: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled || !stream.isTTY || options.totalBytes === undefined) return silent;
  const total = Math.max(1, options.totalBytes);
  const meter = new RateMeter();
  const bar = new cliProgress.SingleBar({
    stream,
    format: `${options.label} {bar} {percentage}% {done}/{size} {rate} ETA {eta}`,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    barsize: 20,
    hideCursor: true,
    fps: 8,
    clearOnComplete: false,
  });
  const payload = (bytes: number) => {
    const rate = meter.rate();
    return {
      done: formatBytes(bytes),
      size: formatBytes(options.totalBytes!),
      rate: rate > 0 ? `${formatBytes(rate)}/s` : '-- /s',
      eta: rate > 0 ? formatDuration((options.totalBytes! - bytes) / rate) : '--:--',
    };
  };
  meter.add(0);
  bar.start(total, 0, payload(0));
  let stopped = false;
  return {
    update(bytes) {
      if (stopped) return;
      meter.add(bytes);
      bar.update(Math.min(bytes, total), payload(bytes));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
