// How the administration pages write sizes and times, and read sizes typed by a person.

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

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

/** A date and time in the reader's locale, or "never". */
export function formatTime(epochMs: number | null): string {
  if (epochMs === null) return 'never';
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The multipliers a quota may be typed in. */
export const SIZE_UNITS = { MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
export type SizeUnit = keyof typeof SIZE_UNITS;

/** A whole number of bytes from an amount and a unit, or undefined if it is not one. */
export function toBytes(amount: string, unit: SizeUnit): number | undefined {
  const value = Number(amount.trim());
  if (amount.trim() === '' || !Number.isFinite(value) || value < 0) return undefined;
  const bytes = Math.round(value * SIZE_UNITS[unit]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
