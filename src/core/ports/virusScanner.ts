// The virus-scanning port (docs/decisions.md 85). Implementation: clamd over its INSTREAM protocol
// (src/adapters/scanning/clamd.ts). A scanner never throws for a scan that went wrong: every
// outcome is a ScanOutcome, and anything it does not recognise is 'failed', never 'clean'.
import type { ByteSource } from './blobStore.js';

export type ScanOutcome =
  | { kind: 'clean' }
  | { kind: 'infected'; signature: string }
  /**
   * retry: the scan may succeed later (scanner unreachable, timed out, dropped the connection);
   * false: it never will as things are (the file is above the scanner's limits).
   * unavailable: the scanner could not be reached at all, which says nothing about the file.
   */
  | { kind: 'failed'; reason: string; retry: boolean; unavailable?: boolean };

export interface VirusScanner {
  /** Streams `body` to the scanner. `signal` aborts it (the result is then 'failed'). */
  scan(input: { body: ByteSource; signal?: AbortSignal }): Promise<ScanOutcome>;
  /** The engine and signature database version, e.g. "ClamAV 1.4.6/27100/Mon Nov 23 09:30:00 2026". */
  version(): Promise<string>;
}
