// What a family of measurements looks like to the runner: set up once, then sampled once per
// round (rounds interleave the families, so a burst of load from elsewhere hits them all alike),
// then torn down.

export type Unit = 'MiB/s' | 'req/s' | 'ops/s' | 'ms' | 'MiB' | 's' | 'cores' | 'CPU-ms/op';

export interface Figure {
  label: string;
  unit: Unit;
}

/** One sample of one or more figures, by figure id. */
export type Sample = Record<string, number>;

export interface Measurement {
  id: string;
  figures: Record<string, Figure>;
  sample(): Promise<Sample>;
}

export interface BenchContext {
  /** Bytes of the large transfers (1 GiB unless told otherwise). */
  size: number;
  /** A file of `size` random bytes, in the page cache. */
  sourceFile: string;
  /** A directory for this run's scratch files, on the same disk as the servers' data. */
  scratch: string;
  /** Seconds of each autocannon run. */
  loadSeconds: number;
  connections: number;
  log(line: string): void;
  /**
   * Reads `file` through once, untimed, so a measurement starts with it in the page cache: each
   * round writes several GiB, and the kernel may have evicted a file read in an earlier round.
   */
  warm(file: string): Promise<void>;
}

export interface Family {
  name: string;
  measurements: Measurement[];
  /** Versions and settings worth printing with the results. */
  notes: Record<string, string>;
  teardown(): Promise<void>;
}
