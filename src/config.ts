// Configuration is parsed and validated once, in main, into a frozen object passed down
// (docs/architecture.md, "Config"). Every command-line option has an environment variable; the
// option wins when both are given. Nothing else in the code reads process.env.
import path from 'node:path';
import type { SignInPolicy } from './core/accounts/signInService.js';
import { BLOB_CACHE_OPTIONS, parseBlobCacheConfig, type BlobCacheConfig } from './blobCacheConfig.js';
import { parseTrustProxy } from './trustProxyConfig.js';
import { SCAN_OPTIONS, parseScanConfig, type ScanConfig } from './scanConfig.js';
import { SCRUB_OPTIONS, parseScrubConfig, type ScrubConfig } from './scrubConfig.js';

export interface StorageConfig {
  /** Data directory: SQLite database and local blobs (embedded mode), temporary files. */
  dataDir: string;
  /** postgres://… selects PostgreSQL for metadata instead of SQLite in dataDir. */
  databaseUrl?: string;
  /** An S3 endpoint and bucket select S3 for bytes instead of the local disk. */
  s3?: { endpoint: string; bucket: string; region: string; accessKeyId?: string; secretAccessKey?: string; prefix: string };
  /** How long a request waits for the database or the object store before failing with 503. */
  dependencyTimeoutMs: number;
  /** docs/decisions.md 170: local blobs are written with O_DIRECT where possible (undefined: on). */
  directWrites?: boolean;
}

export interface ServeConfig extends StorageConfig {
  host: string;
  port: number;
  adminToken?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** docs/decisions.md 22: "the maximum part and file sizes are configurable (defaults 5 GiB and 5 TiB)". */
  maxFileBytes: number;
  maxPartBytes: number;
  /** docs/decisions.md 150: files read from the database per batch of a list (its memory bound). */
  listBatchRows: number;
  /** docs/decisions.md 24: sessions idle longer than this expire (default 7 days). */
  sessionTtlMs: number;
  /** docs/decisions.md 51: a COMMITTING session not renewed this long lost its committer. */
  sessionCommitLeaseMs: number;
  /** docs/decisions.md 95: a blob no revision names is removed once it is older than this (default 24 h). */
  orphanGraceMs: number;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
  /** Who may read GET /metrics (docs/decisions.md 36). */
  metricsAccess: 'loopback' | 'admin' | 'open';
  /** docs/decisions.md 42: OPEN (and COMMITTING) upload sessions a user may hold at once. */
  maxOpenSessionsPerUser: number;
  /** docs/decisions.md 41: failed authentications per client address, at once and per second (burst 0: off). */
  authFailureBurst: number;
  authFailureRate: number;
  /** Whose X-Forwarded-For names the client: false, true (any peer), or proxy addresses/CIDRs (Fastify's trustProxy). */
  trustProxy: boolean | string;
  /** Connection limits (issue 10 items 1 and 18; docs/decisions.md 30-32). */
  connections: ConnectionLimits;
  /** Token lifetimes (issue 12, docs/decisions.md 62). */
  tokens: TokenConfig;
  /** Sign-in links and browser sessions (issue 15, docs/decisions.md 114-116). */
  signIn: SignInPolicy;
  /** The audit log (issue 12, docs/decisions.md 66). */
  audit: { retentionMs: number; failedAuthBurst: number };
  /** Storage quotas and the free-space guard (issue 12, docs/decisions.md 67). */
  quotas: { defaultQuotaBytes: number; minFreeBytes: number };
  /** Virus scanning with clamd; undefined when --clamd is not given (revisions stay NOT_SCANNED). */
  scan?: ScanConfig;
  /** The background scrub (docs/decisions.md 140); undefined when --scrub-interval is not given. */
  scrub?: ScrubConfig;
  /** Small blobs kept in memory for downloads (docs/decisions.md 182). */
  blobCache: BlobCacheConfig;
}

export interface TokenConfig {
  defaultTtlMs: number;
  maxTtlMs: number;
}

export interface ConnectionLimits {
  /** A connection with no bytes in or out for this long ends: 408 while a body is awaited, else closed. */
  idleTimeoutMs: number;
  /** The whole request head must arrive within this long (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this long; 0 = no limit (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** API requests in flight on this server, all users together (503 beyond). */
  maxRequests: number;
  /** API requests in flight on this server for one user (429 beyond). */
  maxRequestsPerUser: number;
  /** Largest request head (request line, URL, headers) Node's parser accepts (431 beyond). */
  maxHeaderBytes: number;
  /** How much of a refused request's body is read and thrown away so the client hears the refusal. */
  refusedBodyDrainBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const GiB = 1024 ** 3;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The options every command that opens the stores understands, with their variables. */
export const STORAGE_OPTIONS = {
  data: { env: 'DATAFILES_DATA_DIR', description: 'data directory (SQLite database, local blobs)', default: './data' },
  'database-url': { env: 'DATAFILES_DATABASE_URL', description: 'postgres://… to keep metadata in PostgreSQL' },
  's3-endpoint': { env: 'DATAFILES_S3_ENDPOINT', description: 'S3 endpoint URL to keep bytes in S3' },
  's3-bucket': { env: 'DATAFILES_S3_BUCKET', description: 'S3 bucket (created if missing)' },
  's3-region': { env: 'DATAFILES_S3_REGION', description: 'S3 region', default: 'us-east-1' },
  's3-prefix': { env: 'DATAFILES_S3_PREFIX', description: 'key prefix inside the bucket', default: '' },
  'direct-writes': { env: 'DATAFILES_DIRECT_WRITES', description: 'on: write local blobs around the page cache where possible; off', default: 'on' },
  'dependency-timeout-ms': {
    env: 'DATAFILES_DEPENDENCY_TIMEOUT_MS',
    description: 'fail with 503 after waiting this long for the database or object store',
    default: '10000',
  },
} as const;

/** Token lifetimes: read by `serve` and by the admin commands that issue tokens. */
export const TOKEN_OPTIONS = {
  'token-default-ttl-days': { env: 'DATAFILES_TOKEN_DEFAULT_TTL_DAYS', description: 'lifetime of a new token when none is asked for', default: '90' },
  'token-max-ttl-days': { env: 'DATAFILES_TOKEN_MAX_TTL_DAYS', description: 'longest lifetime a non-admin may give a token', default: '365' },
} as const;

/** Sign-in links and browser sessions (issue 15; docs/decisions.md 114-116): read by `serve` and `users login-link`. */
export const SIGN_IN_OPTIONS = {
  'sign-in-link-ttl-minutes': {
    env: 'DATAFILES_SIGN_IN_LINK_TTL_MINUTES',
    description: 'lifetime of a sign-in link (users login-link, admin API) when none is asked for',
    default: '15',
  },
  'first-sign-in-link-ttl-minutes': {
    env: 'DATAFILES_FIRST_SIGN_IN_LINK_TTL_MINUTES',
    description: "lifetime of the admin's sign-in link printed on the first start",
    default: '1440',
  },
  'browser-session-ttl-minutes': {
    env: 'DATAFILES_BROWSER_SESSION_TTL_MINUTES',
    description: 'lifetime of the browser session a sign-in link opens',
    default: '720',
  },
} as const;

export const SERVE_OPTIONS = {
  host: { env: 'DATAFILES_HOST', description: 'address to listen on', default: '127.0.0.1' },
  port: { env: 'DATAFILES_PORT', description: 'port to listen on (0 picks a free one)', default: '8080' },
  ...STORAGE_OPTIONS,
  'log-level': { env: 'DATAFILES_LOG_LEVEL', description: 'fatal, error, warn, info, debug, trace or silent', default: 'info' },
  'max-file-bytes': { env: 'DATAFILES_MAX_FILE_BYTES', description: 'largest file accepted', default: String(5 * 1024 * GiB) },
  'max-part-bytes': { env: 'DATAFILES_MAX_PART_BYTES', description: 'largest multipart part accepted', default: String(5 * GiB) },
  'list-batch-rows': {
    env: 'DATAFILES_LIST_BATCH_ROWS',
    description: 'files a list reads from the database at a time; a longer list streams out batch by batch',
    default: '1000',
  },
  'session-ttl-ms': { env: 'DATAFILES_SESSION_TTL_MS', description: 'idle multipart sessions expire after this long', default: String(7 * DAY_MS) },
  'session-commit-lease-ms': {
    env: 'DATAFILES_SESSION_COMMIT_LEASE_MS',
    description: 'a multipart commit not heard from this long died: the sweep rolls its session back to OPEN',
    default: '120000',
  },
  'orphan-grace-ms': {
    env: 'DATAFILES_ORPHAN_GRACE_MS',
    description:
      'a stored blob no revision names, or a staged upload no session names (a crash between the bytes and the row), is removed once older than this',
    default: String(DAY_MS),
  },
  'shutdown-timeout-ms': { env: 'DATAFILES_SHUTDOWN_TIMEOUT_MS', description: 'how long SIGTERM waits for in-flight requests', default: '30000' },
  'metrics-access': {
    env: 'DATAFILES_METRICS_ACCESS',
    description: 'who may read /metrics: loopback (this machine, else an admin token), admin or open',
    default: 'loopback',
  },
  'max-open-sessions-per-user': {
    env: 'DATAFILES_MAX_OPEN_SESSIONS_PER_USER',
    description: 'open multipart sessions one user may hold (more: 429)',
    default: '1000',
  },
  'auth-failure-burst': {
    env: 'DATAFILES_AUTH_FAILURE_BURST',
    description: 'failed authentications one client address may have at once before 429 (0: no limit)',
    default: '100',
  },
  'auth-failure-rate': { env: 'DATAFILES_AUTH_FAILURE_RATE', description: 'failed authentications per second an address earns back', default: '10' },
  'trust-proxy': {
    env: 'DATAFILES_TRUST_PROXY',
    description: 'take the client address from X-Forwarded-For sent by these proxies: false, true (any peer), or comma-separated addresses/CIDRs',
    default: 'false',
  },
  'idle-timeout-ms': {
    env: 'DATAFILES_IDLE_TIMEOUT_MS',
    description: 'a connection that moves no bytes for this long ends (408 while a body is awaited)',
    default: '60000',
  },
  'headers-timeout-ms': { env: 'DATAFILES_HEADERS_TIMEOUT_MS', description: 'the request head must arrive within this long (408)', default: '30000' },
  'request-timeout-ms': {
    env: 'DATAFILES_REQUEST_TIMEOUT_MS',
    description: 'a whole request, body included, must arrive within this long; 0 = no limit',
    default: '0',
  },
  'keep-alive-timeout-ms': { env: 'DATAFILES_KEEP_ALIVE_TIMEOUT_MS', description: 'idle keep-alive connections close after this long', default: '72000' },
  'max-requests': { env: 'DATAFILES_MAX_REQUESTS', description: 'API requests in flight on this server, all users (503 beyond)', default: '1000' },
  'max-requests-per-user': {
    env: 'DATAFILES_MAX_REQUESTS_PER_USER',
    description: 'API requests in flight on this server for one user (429 beyond)',
    default: '100',
  },
  'max-header-bytes': {
    env: 'DATAFILES_MAX_HEADER_BYTES',
    description: 'largest request head (URL and headers) accepted (431 beyond)',
    default: String(128 * 1024),
  },
  'refused-body-drain-bytes': {
    env: 'DATAFILES_REFUSED_BODY_DRAIN_BYTES',
    description: "how much of a refused request's body is read and dropped so the client hears why",
    default: String(16 * 1024 * 1024),
  },
  ...TOKEN_OPTIONS,
  ...SIGN_IN_OPTIONS,
  'audit-retention-days': { env: 'DATAFILES_AUDIT_RETENTION_DAYS', description: 'audit events older than this are deleted (hourly)', default: '365' },
  'audit-failed-auth-burst': {
    env: 'DATAFILES_AUDIT_FAILED_AUTH_BURST',
    description: 'this many 401s to one address within a minute are an audit event',
    default: '10',
  },
  'default-user-quota-bytes': {
    env: 'DATAFILES_DEFAULT_USER_QUOTA_BYTES',
    description: 'storage quota of users without one of their own (0: none)',
    default: '0',
  },
  'min-free-bytes': {
    env: 'DATAFILES_MIN_FREE_BYTES',
    description: 'uploads are refused when the data disk would keep less free (0: no guard; local disk only)',
    default: String(GiB),
  },
  ...SCAN_OPTIONS,
  ...SCRUB_OPTIONS,
  ...BLOB_CACHE_OPTIONS,
} as const;
// Not an option: DATAFILES_ADMIN_TOKEN (a secret does not belong on a command line, where `ps` shows it).

export type OptionTable = Readonly<Record<string, { env: string; description: string; default?: string }>>;

/** Option value, else its environment variable, else its default. */
function pick(values: Record<string, string | undefined>, env: Env, table: OptionTable, name: string): string | undefined {
  const spec = table[name];
  const fromEnv = env[spec.env];
  return values[name] ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined) ?? spec.default;
}

function integer(name: string, text: string | undefined, { min, max }: { min: number; max: number }): number {
  const value = Number(text);
  if (text === undefined || !/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`--${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(text)})`);
  }
  return value;
}

export function parseStorageConfig(values: Record<string, string | undefined>, env: Env): StorageConfig {
  const get = (name: keyof typeof STORAGE_OPTIONS) => pick(values, env, STORAGE_OPTIONS, name);
  const dataDir = path.resolve(get('data') ?? './data');
  const databaseUrl = get('database-url');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('--database-url must be a postgres:// or postgresql:// URL');
  }
  const endpoint = get('s3-endpoint');
  const bucket = get('s3-bucket');
  if ((endpoint === undefined) !== (bucket === undefined)) throw new ConfigError('--s3-endpoint and --s3-bucket go together');
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) throw new ConfigError('--s3-endpoint must be an http(s) URL');
  if (bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError('--s3-bucket is not a valid bucket name');
  const directWrites = get('direct-writes');
  if (directWrites !== 'on' && directWrites !== 'off') throw new ConfigError('--direct-writes must be on or off');
  return {
    dataDir,
    databaseUrl,
    s3:
      endpoint && bucket
        ? {
            endpoint,
            bucket,
            region: get('s3-region') ?? 'us-east-1',
            prefix: get('s3-prefix') ?? '',
            // The standard AWS variables, as every S3 tool reads them.
            accessKeyId: env.AWS_ACCESS_KEY_ID || undefined,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY || undefined,
          }
        : undefined,
    dependencyTimeoutMs: integer('dependency-timeout-ms', get('dependency-timeout-ms'), { min: 100, max: 600_000 }),
    directWrites: directWrites === 'on',
  };
}

export function parseTokenConfig(values: Record<string, string | undefined>, env: Env): TokenConfig {
  const get = (name: keyof typeof TOKEN_OPTIONS) => pick(values, env, TOKEN_OPTIONS, name);
  const defaultDays = integer('token-default-ttl-days', get('token-default-ttl-days'), { min: 1, max: 36_500 });
  const maxDays = integer('token-max-ttl-days', get('token-max-ttl-days'), { min: 1, max: 36_500 });
  if (defaultDays > maxDays) throw new ConfigError(`--token-default-ttl-days (${defaultDays}) cannot exceed --token-max-ttl-days (${maxDays})`);
  return { defaultTtlMs: defaultDays * DAY_MS, maxTtlMs: maxDays * DAY_MS };
}

export function parseSignInConfig(values: Record<string, string | undefined>, env: Env): SignInPolicy {
  const minutes = (name: keyof typeof SIGN_IN_OPTIONS) => integer(name, pick(values, env, SIGN_IN_OPTIONS, name), { min: 1, max: 30 * 24 * 60 }) * 60_000;
  return {
    linkTtlMs: minutes('sign-in-link-ttl-minutes'),
    firstLinkTtlMs: minutes('first-sign-in-link-ttl-minutes'),
    sessionTtlMs: minutes('browser-session-ttl-minutes'),
  };
}

function fail(message: string): never {
  throw new ConfigError(message);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const METRICS_ACCESS = ['loopback', 'admin', 'open'] as const;

export function parseServeConfig(values: Record<string, string | undefined>, env: Env): Readonly<ServeConfig> {
  const get = (name: keyof typeof SERVE_OPTIONS) => pick(values, env, SERVE_OPTIONS, name);
  const logLevel = get('log-level') as ServeConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const adminToken = env.DATAFILES_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) throw new ConfigError('DATAFILES_ADMIN_TOKEN must be at least 16 characters');
  const metricsAccess = get('metrics-access') as ServeConfig['metricsAccess'];
  if (!METRICS_ACCESS.includes(metricsAccess)) throw new ConfigError(`--metrics-access must be one of ${METRICS_ACCESS.join(', ')}`);
  const host = get('host') ?? '127.0.0.1';
  if (host.length === 0 || /\s/.test(host)) throw new ConfigError('--host must be an address');
  return Object.freeze({
    ...parseStorageConfig(values, env),
    host,
    port: integer('port', get('port'), { min: 0, max: 65535 }),
    adminToken,
    logLevel,
    maxFileBytes: integer('max-file-bytes', get('max-file-bytes'), { min: 1, max: Number.MAX_SAFE_INTEGER }),
    maxPartBytes: integer('max-part-bytes', get('max-part-bytes'), { min: 1, max: Number.MAX_SAFE_INTEGER }),
    listBatchRows: integer('list-batch-rows', get('list-batch-rows'), { min: 1, max: 100_000 }),
    sessionTtlMs: integer('session-ttl-ms', get('session-ttl-ms'), { min: 1000, max: 365 * DAY_MS }),
    sessionCommitLeaseMs: integer('session-commit-lease-ms', get('session-commit-lease-ms'), { min: 2000, max: DAY_MS }),
    orphanGraceMs: integer('orphan-grace-ms', get('orphan-grace-ms'), { min: 0, max: 365 * DAY_MS }),
    shutdownTimeoutMs: integer('shutdown-timeout-ms', get('shutdown-timeout-ms'), { min: 0, max: 600_000 }),
    metricsAccess,
    maxOpenSessionsPerUser: integer('max-open-sessions-per-user', get('max-open-sessions-per-user'), { min: 1, max: 1_000_000_000 }),
    authFailureBurst: integer('auth-failure-burst', get('auth-failure-burst'), { min: 0, max: 1_000_000_000 }),
    authFailureRate: integer('auth-failure-rate', get('auth-failure-rate'), { min: 1, max: 1_000_000_000 }),
    trustProxy: parseTrustProxy(get('trust-proxy') ?? 'false', fail),
    connections: Object.freeze(parseConnectionLimits(get)),
    tokens: parseTokenConfig(values, env),
    signIn: parseSignInConfig(values, env),
    audit: {
      retentionMs: integer('audit-retention-days', get('audit-retention-days'), { min: 1, max: 36_500 }) * DAY_MS,
      failedAuthBurst: integer('audit-failed-auth-burst', get('audit-failed-auth-burst'), { min: 1, max: 1_000_000 }),
    },
    quotas: {
      defaultQuotaBytes: integer('default-user-quota-bytes', get('default-user-quota-bytes'), { min: 0, max: Number.MAX_SAFE_INTEGER }),
      minFreeBytes: integer('min-free-bytes', get('min-free-bytes'), { min: 0, max: Number.MAX_SAFE_INTEGER }),
    },
    scan: parseScanConfig(get, integer, fail),
    scrub: parseScrubConfig(get, fail),
    blobCache: parseBlobCacheConfig(get, integer, fail),
  });
}

const HOUR_MS = 60 * 60 * 1000;

function parseConnectionLimits(get: (name: keyof typeof SERVE_OPTIONS) => string | undefined): ConnectionLimits {
  const limits: ConnectionLimits = {
    idleTimeoutMs: integer('idle-timeout-ms', get('idle-timeout-ms'), { min: 100, max: HOUR_MS }),
    headersTimeoutMs: integer('headers-timeout-ms', get('headers-timeout-ms'), { min: 100, max: HOUR_MS }),
    requestTimeoutMs: integer('request-timeout-ms', get('request-timeout-ms'), { min: 0, max: 7 * DAY_MS }),
    keepAliveTimeoutMs: integer('keep-alive-timeout-ms', get('keep-alive-timeout-ms'), { min: 100, max: HOUR_MS }),
    maxRequests: integer('max-requests', get('max-requests'), { min: 1, max: 1_000_000 }),
    maxRequestsPerUser: integer('max-requests-per-user', get('max-requests-per-user'), { min: 1, max: 1_000_000 }),
    // Node's own default (16 KiB) is the floor; a head is held in memory while it is parsed.
    maxHeaderBytes: integer('max-header-bytes', get('max-header-bytes'), { min: 16 * 1024, max: 1024 * 1024 }),
    refusedBodyDrainBytes: integer('refused-body-drain-bytes', get('refused-body-drain-bytes'), { min: 0, max: GiB }),
  };
  // Node refuses a head timeout longer than the whole request's.
  if (limits.requestTimeoutMs > 0 && limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('--headers-timeout-ms must not exceed --request-timeout-ms');
  }
  return limits;
}
