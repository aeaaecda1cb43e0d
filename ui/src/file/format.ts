// How a file's facts read on its page: sizes in binary units, times in the reader's locale, scan
// states in words.
import type { ScanState } from '@datafiles/sdk';

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

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
