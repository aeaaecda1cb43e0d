// Token lifetimes as people write them: `30m`, `12h`, `90d`, `2w`, `1y` (365 days), or `never`.
import { DomainError } from '../errors.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/** Milliseconds, or null for `never`; BAD_REQUEST naming the accepted forms otherwise. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'never') return null;
  const match = /^([1-9][0-9]{0,6})([mhdwy])$/.exec(trimmed);
  if (!match) throw new DomainError('BAD_REQUEST', `"${text}" is not a duration: write a number and a unit (30m, 12h, 90d, 2w, 1y) or "never".`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

export function formatDays(ms: number): string {
  return `${Math.round((ms / 86_400_000) * 100) / 100} days`;
}
