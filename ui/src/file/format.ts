// How a file's facts read on its page: sizes in binary units, times in the reader's locale, scan
// states in words.
import type { ScanState } from '@datafiles/sdk';

// One way to write a size across the interface: the administration pages' (ui/src/admin/format.ts).
export { formatBytes } from '../admin/format';

export function formatTime(epochMillis: number): string {
  return new Date(epochMillis).toLocaleString();
}

export const SCAN_STATE: Record<ScanState, string> = {
  NOT_SCANNED: 'Not scanned (no virus scanner configured)',
  PENDING: 'Waiting for its virus scan',
  SAFE: 'Scanned: no virus found',
  INFECTED: 'Infected: a virus was found; it cannot be downloaded',
  FAILED: 'Could not be scanned',
};
