// spec: "index (Number): Part number for ordering (1–10,000)" (docs/decisions.md 22).
import { DomainError } from '../errors.js';

export const FIRST_PART_INDEX = 1;
export const LAST_PART_INDEX = 10_000;

/** The part index of a URL path segment: decimal digits only, 1 to 10,000; anything else is 400. */
export function parsePartIndex(text: string | number): number {
  const value = typeof text === 'number' ? text : /^[0-9]{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < FIRST_PART_INDEX || value > LAST_PART_INDEX) {
    throw new DomainError(
      'INVALID_PART_INDEX',
      `The part index must be an integer from ${FIRST_PART_INDEX} to ${LAST_PART_INDEX} (got ${JSON.stringify(String(text).slice(0, 20))}).`,
    );
  }
  return value;
}

/** The indexes missing from 1..max(present): a commit needs parts 1..N without a gap (docs/decisions.md 23). */
export function missingPartIndexes(present: readonly number[], upTo?: number): number[] {
  const have = new Set(present);
  const last = Math.max(upTo ?? 0, ...present, 0);
  const missing: number[] = [];
  for (let index = FIRST_PART_INDEX; index <= last; index++) if (!have.has(index)) missing.push(index);
  return missing;
}
