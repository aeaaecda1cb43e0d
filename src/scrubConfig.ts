// The background scrub options of `datafiles serve` (docs/decisions.md 140). Parsed by
// src/config.ts with the other serve options; kept apart so that file stays small.

export interface ScrubConfig {
  /** A pass over every stored revision starts about this long after the previous one ended. */
  intervalMs: number;
  /** Bytes read per second at most (undefined: no cap), as `datafiles verify --max-mib-per-second`. */
  maxBytesPerSecond?: number;
}

export const SCRUB_OPTIONS = {
  'scrub-interval': {
    env: 'DATAFILES_SCRUB_INTERVAL',
    description: 're-verify every stored revision this often in the background, e.g. 7d, 24h, 30m, 10s (off when unset or 0)',
  },
  'scrub-max-mib-per-second': {
    env: 'DATAFILES_SCRUB_MAX_MIB_PER_SECOND',
    description: 'the background scrub reads at most this many MiB/s (0: no cap)',
    default: '16',
  },
} as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MIN_INTERVAL_MS = 1000;
const MAX_INTERVAL_MS = 365 * UNIT_MS.d;

/**
 * A duration such as `24h` or `500ms`; a bare number is seconds. Hand-written: one regular
 * expression, not worth a dependency.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']);
}

export function parseScrubConfig(get: (name: keyof typeof SCRUB_OPTIONS) => string | undefined, fail: (message: string) => never): ScrubConfig | undefined {
  const rateText = get('scrub-max-mib-per-second') ?? '16';
  const rate = Number(rateText);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(rateText) || !Number.isFinite(rate))
    fail(`--scrub-max-mib-per-second must be a number of MiB/s, 0 for no cap (got ${JSON.stringify(rateText)})`);
  const text = get('scrub-interval');
  if (text === undefined || text === 'off') return undefined;
  const intervalMs = parseDuration(text);
  if (intervalMs === undefined || (intervalMs !== 0 && (intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS)))
    fail(`--scrub-interval must be a duration from 1s to 365d such as 24h, 30m or 10s, or 0 for off (got ${JSON.stringify(text)})`);
  if (intervalMs === 0) return undefined;
  return { intervalMs, maxBytesPerSecond: rate > 0 ? rate * 1024 * 1024 : undefined };
}
