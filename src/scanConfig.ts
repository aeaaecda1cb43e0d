// The virus-scanning options of `datafiles serve` (docs/decisions.md 85). Parsed by src/config.ts
// with the other serve options; kept apart so that file stays small.
import type { ScanPolicy } from './core/scanning/downloadGate.js';

export type { ScanPolicy };
export type ClamdAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export interface ScanConfig {
  clamd: ClamdAddress;
  /** block-infected: only INFECTED is refused; safe-only: only SAFE is served. */
  policy: ScanPolicy;
  /** Scans one server runs at once. */
  concurrency: number;
  /** A scan with no progress (no connection, no reply) for this long fails and is retried. */
  timeoutMs: number;
  /** First retry delay; doubled on each failure of the same revision. */
  retryMs: number;
  /** Failures after which a revision is FAILED for good. */
  maxAttempts: number;
  /** How long a claimed job is a server's; a dead server's jobs are scanned again after it. */
  leaseMs: number;
  /** clamd's StreamMaxLength: a larger revision is FAILED (too large) without being sent. */
  maxBytes: number;
}

export const SCAN_OPTIONS = {
  clamd: { env: 'DATAFILES_CLAMD', description: 'scan every revision with ClamAV: tcp://HOST:PORT or unix:/path/to/clamd.ctl (off when unset)' },
  'scan-policy': {
    env: 'DATAFILES_SCAN_POLICY',
    description: 'block-infected (serve all but INFECTED) or safe-only (serve only SAFE)',
    default: 'block-infected',
  },
  'scan-concurrency': { env: 'DATAFILES_SCAN_CONCURRENCY', description: 'scans one server runs at once', default: '2' },
  'scan-timeout-ms': {
    env: 'DATAFILES_SCAN_TIMEOUT_MS',
    description: 'a scan that gets no answer from clamd for this long fails and is retried',
    default: '60000',
  },
  'scan-retry-ms': { env: 'DATAFILES_SCAN_RETRY_MS', description: 'first delay before a failed scan is retried (doubles each time)', default: '5000' },
  'scan-lease-ms': {
    env: 'DATAFILES_SCAN_LEASE_MS',
    description: "how long a claimed scan is a server's (a scan is cut at 2/3 of it); a dead server's scans are redone after it",
    default: '300000',
  },
  'scan-max-bytes': {
    env: 'DATAFILES_SCAN_MAX_BYTES',
    description: "clamd's StreamMaxLength: larger revisions are FAILED (too large) without being sent",
    default: String(100 * 1024 * 1024),
  },
  'scan-max-attempts': { env: 'DATAFILES_SCAN_MAX_ATTEMPTS', description: 'failed scans of a revision before it is FAILED', default: '5' },
} as const;

const POLICIES: readonly ScanPolicy[] = ['block-infected', 'safe-only'];

/** Parses `tcp://HOST:PORT` or `unix:/path`; undefined for anything else. */
export function parseClamdAddress(text: string): ClamdAddress | undefined {
  const unix = /^unix:(\/.+)$/.exec(text);
  if (unix) return { kind: 'unix', path: unix[1] };
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):([0-9]{1,5})\/?$/.exec(text);
  if (!tcp) return undefined;
  const port = Number(tcp[2]);
  if (port < 1 || port > 65535) return undefined;
  return { kind: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port };
}

export function parseScanConfig(
  get: (name: keyof typeof SCAN_OPTIONS) => string | undefined,
  integer: (name: string, text: string | undefined, range: { min: number; max: number }) => number,
  fail: (message: string) => never,
): ScanConfig | undefined {
  const policy = get('scan-policy') as ScanPolicy;
  if (!POLICIES.includes(policy)) fail(`--scan-policy must be one of ${POLICIES.join(', ')}`);
  const concurrency = integer('scan-concurrency', get('scan-concurrency'), { min: 1, max: 64 });
  const timeoutMs = integer('scan-timeout-ms', get('scan-timeout-ms'), { min: 100, max: 3_600_000 });
  const retryMs = integer('scan-retry-ms', get('scan-retry-ms'), { min: 10, max: 3_600_000 });
  const maxAttempts = integer('scan-max-attempts', get('scan-max-attempts'), { min: 1, max: 100 });
  const leaseMs = integer('scan-lease-ms', get('scan-lease-ms'), { min: 1000, max: 24 * 3_600_000 });
  const maxBytes = integer('scan-max-bytes', get('scan-max-bytes'), { min: 1, max: Number.MAX_SAFE_INTEGER });
  const text = get('clamd');
  if (text === undefined) return undefined;
  const clamd = parseClamdAddress(text);
  if (!clamd) fail(`--clamd must be tcp://HOST:PORT or unix:/path/to/clamd.ctl (got ${JSON.stringify(text)})`);
  return { clamd, policy, concurrency, timeoutMs, retryMs, maxAttempts, leaseMs, maxBytes };
}
