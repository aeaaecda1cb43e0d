// Configuration is parsed and validated once, in main, into a frozen object passed down
// (docs/architecture.md, "Config"). Every command-line option has an environment variable; the
// option wins when both are given. Nothing else in the code reads process.env.
import path from 'node:path';
import { SCAN_OPTIONS, parseScanConfig, type ScanConfig } from './scanConfig.js';

export interface StorageConfig {
  /** Data directory: SQLite database and local blobs (embedded mode), temporary files. */
  dataDir: string;
  /** postgres://… selects PostgreSQL for metadata instead of SQLite in dataDir. */
  databaseUrl?: string;
  /** An S3 endpoint and bucket select S3 for bytes instead of the local disk. */
  s3?: { endpoint: string; bucket: string; region: string; accessKeyId?: string; secretAccessKey?: string; prefix: string };
  /** How long a request waits for the database or the object store before failing with 503. */
  dependencyTimeoutMs: number;
}

export interface ServeConfig extends StorageConfig {
  host: string;
  port: number;
  adminToken?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** docs/decisions.md 22: "the maximum part and file sizes are configurable (defaults 5 GiB and 5 TiB)". */
  maxFileBytes: number;
  maxPartBytes: number;
  /** docs/decisions.md 24: sessions idle longer than this expire (default 7 days). */
  sessionTtlMs: number;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
  /** Who may read GET /metrics (docs/decisions.md 36). */
  metricsAccess: 'loopback' | 'admin' | 'open';
  /** Virus scanning with clamd; undefined when --clamd is not given (revisions stay NOT_SCANNED). */
  scan?: ScanConfig;
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
  'dependency-timeout-ms': { env: 'DATAFILES_DEPENDENCY_TIMEOUT_MS', description: 'fail with 503 after waiting this long for the database or object store', default: '10000' },
} as const;

export const SERVE_OPTIONS = {
  host: { env: 'DATAFILES_HOST', description: 'address to listen on', default: '127.0.0.1' },
  port: { env: 'DATAFILES_PORT', description: 'port to listen on (0 picks a free one)', default: '8080' },
  ...STORAGE_OPTIONS,
  'log-level': { env: 'DATAFILES_LOG_LEVEL', description: 'fatal, error, warn, info, debug, trace or silent', default: 'info' },
  'max-file-bytes': { env: 'DATAFILES_MAX_FILE_BYTES', description: 'largest file accepted', default: String(5 * 1024 * GiB) },
  'max-part-bytes': { env: 'DATAFILES_MAX_PART_BYTES', description: 'largest multipart part accepted', default: String(5 * GiB) },
  'session-ttl-ms': { env: 'DATAFILES_SESSION_TTL_MS', description: 'idle multipart sessions expire after this long', default: String(7 * DAY_MS) },
  'shutdown-timeout-ms': { env: 'DATAFILES_SHUTDOWN_TIMEOUT_MS', description: 'how long SIGTERM waits for in-flight requests', default: '30000' },
  'metrics-access': { env: 'DATAFILES_METRICS_ACCESS', description: 'who may read /metrics: loopback (this machine, else an admin token), admin or open', default: 'loopback' },
  ...SCAN_OPTIONS,
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
  };
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
    sessionTtlMs: integer('session-ttl-ms', get('session-ttl-ms'), { min: 1000, max: 365 * DAY_MS }),
    shutdownTimeoutMs: integer('shutdown-timeout-ms', get('shutdown-timeout-ms'), { min: 0, max: 600_000 }),
    metricsAccess,
    scan: parseScanConfig(get, integer, (message) => {
      throw new ConfigError(message);
    }),
  });
}
