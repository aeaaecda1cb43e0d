import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, parseServeConfig } from './config.js';

describe('configuration (options, then DATAFILES_* variables, then defaults)', () => {
  it('has working defaults', () => {
    const config = parseServeConfig({}, {});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.s3, undefined);
    assert.equal(config.sessionTtlMs, 7 * 24 * 60 * 60 * 1000);
    assert.equal(config.maxPartBytes, 5 * 1024 ** 3);
    assert.equal(config.metricsAccess, 'loopback');
    assert.equal(config.scan, undefined);
    assert.ok(Object.isFrozen(config));
  });
  it('reads every option from its environment variable, and lets the option win', () => {
    const env = { DATAFILES_PORT: '9000', DATAFILES_HOST: '0.0.0.0', DATAFILES_DATA_DIR: '/srv/files', DATAFILES_LOG_LEVEL: 'warn' };
    const config = parseServeConfig({ port: '9001' }, env);
    assert.equal(config.port, 9001);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.dataDir, '/srv/files');
    assert.equal(config.logLevel, 'warn');
  });
  it('has connection limits a normal client never meets, each an option and a variable', () => {
    const defaults = parseServeConfig({}, {}).connections;
    assert.deepEqual(defaults, {
      idleTimeoutMs: 60_000,
      headersTimeoutMs: 30_000,
      requestTimeoutMs: 0,
      keepAliveTimeoutMs: 72_000,
      maxRequests: 1000,
      maxRequestsPerUser: 100,
      maxHeaderBytes: 128 * 1024,
      refusedBodyDrainBytes: 16 * 1024 * 1024,
    });
    const env = { DATAFILES_IDLE_TIMEOUT_MS: '2000', DATAFILES_MAX_REQUESTS_PER_USER: '7', DATAFILES_MAX_REQUESTS: '50' };
    const config = parseServeConfig({ 'max-requests': '60', 'keep-alive-timeout-ms': '5000' }, env).connections;
    assert.equal(config.idleTimeoutMs, 2000);
    assert.equal(config.maxRequestsPerUser, 7);
    assert.equal(config.maxRequests, 60);
    assert.equal(config.keepAliveTimeoutMs, 5000);
  });
  it('selects PostgreSQL and S3 with their settings and the standard AWS credentials', () => {
    const config = parseServeConfig(
      { 'database-url': 'postgres://localhost/files', 's3-endpoint': 'http://127.0.0.1:7480', 's3-bucket': 'files' },
      { AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret' },
    );
    assert.equal(config.databaseUrl, 'postgres://localhost/files');
    assert.deepEqual(config.s3, {
      endpoint: 'http://127.0.0.1:7480',
      bucket: 'files',
      region: 'us-east-1',
      prefix: '',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
    });
  });
  it('writes local blobs with O_DIRECT unless --direct-writes or DATAFILES_DIRECT_WRITES is off (docs/decisions.md 170)', () => {
    assert.equal(parseServeConfig({}, {}).directWrites, true);
    assert.equal(parseServeConfig({}, { DATAFILES_DIRECT_WRITES: 'off' }).directWrites, false);
    assert.equal(parseServeConfig({ 'direct-writes': 'on' }, { DATAFILES_DIRECT_WRITES: 'off' }).directWrites, true);
    assert.throws(() => parseServeConfig({ 'direct-writes': 'yes' }, {}), /--direct-writes must be on or off/);
  });
  it('keeps small downloaded files in memory, 32 MiB of files up to 64 KiB by default (docs/decisions.md 182)', () => {
    assert.deepEqual(parseServeConfig({}, {}).blobCache, { maxBytes: 32 * 1024 * 1024, maxEntryBytes: 64 * 1024 });
    assert.equal(parseServeConfig({}, { DATAFILES_BLOB_CACHE_BYTES: '0' }).blobCache.maxBytes, 0);
    const set = parseServeConfig({ 'blob-cache-bytes': '1048576' }, { DATAFILES_BLOB_CACHE_BYTES: '0', DATAFILES_BLOB_CACHE_MAX_FILE_BYTES: '4096' });
    assert.deepEqual(set.blobCache, { maxBytes: 1048576, maxEntryBytes: 4096 });
    assert.throws(() => parseServeConfig({ 'blob-cache-bytes': '-1' }, {}), /--blob-cache-bytes must be an integer/);
    assert.throws(() => parseServeConfig({ 'blob-cache-max-file-bytes': '0' }, {}), /--blob-cache-max-file-bytes must be an integer from 1/);
    assert.throws(() => parseServeConfig({ 'blob-cache-bytes': '1000', 'blob-cache-max-file-bytes': '1001' }, {}), /cannot exceed --blob-cache-bytes/);
    assert.equal(
      parseServeConfig({ 'blob-cache-bytes': '0', 'blob-cache-max-file-bytes': '1001' }, {}).blobCache.maxBytes,
      0,
      'off: the file limit does not matter',
    );
  });

  it('turns virus scanning on with --clamd or DATAFILES_CLAMD, over TCP or a unix socket', () => {
    const tcp = parseServeConfig({ clamd: 'tcp://127.0.0.1:3310' }, { DATAFILES_SCAN_CONCURRENCY: '4' });
    assert.deepEqual(tcp.scan, {
      clamd: { kind: 'tcp', host: '127.0.0.1', port: 3310 },
      policy: 'block-infected',
      concurrency: 4,
      timeoutMs: 60_000,
      retryMs: 5000,
      maxAttempts: 5,
      leaseMs: 300_000,
      maxBytes: 100 * 1024 * 1024,
    });
    const unix = parseServeConfig({ 'scan-policy': 'safe-only' }, { DATAFILES_CLAMD: 'unix:/run/clamav/clamd.ctl' });
    assert.deepEqual(unix.scan?.clamd, { kind: 'unix', path: '/run/clamav/clamd.ctl' });
    assert.equal(unix.scan?.policy, 'safe-only');
    assert.deepEqual(parseServeConfig({ clamd: 'tcp://[::1]:3310' }, {}).scan?.clamd, { kind: 'tcp', host: '::1', port: 3310 });
  });
  it('turns the background scrub on with --scrub-interval or DATAFILES_SCRUB_INTERVAL (docs/decisions.md 140)', () => {
    assert.equal(parseServeConfig({}, {}).scrub, undefined);
    assert.equal(parseServeConfig({ 'scrub-interval': '0' }, {}).scrub, undefined);
    assert.deepEqual(parseServeConfig({ 'scrub-interval': '24h' }, {}).scrub, { intervalMs: 86_400_000, maxBytesPerSecond: 16 * 1024 * 1024 });
    assert.deepEqual(parseServeConfig({}, { DATAFILES_SCRUB_INTERVAL: '90', DATAFILES_SCRUB_MAX_MIB_PER_SECOND: '0' }).scrub, {
      intervalMs: 90_000,
      maxBytesPerSecond: undefined,
    });
    assert.equal(parseServeConfig({ 'scrub-interval': '1.5s', 'scrub-max-mib-per-second': '0.5' }, {}).scrub?.maxBytesPerSecond, 512 * 1024);
  });
  it('refuses invalid values with a message naming the option', () => {
    const bad: Array<[Record<string, string>, Record<string, string>, RegExp]> = [
      [{ 'scrub-interval': '500ms' }, {}, /--scrub-interval/],
      [{ 'scrub-interval': 'daily' }, {}, /--scrub-interval/],
      [{ 'scrub-interval': '1d', 'scrub-max-mib-per-second': 'fast' }, {}, /--scrub-max-mib-per-second/],
      [{ port: '70000' }, {}, /--port/],
      [{}, { DATAFILES_PORT: 'eighty' }, /--port/],
      [{ 'log-level': 'loud' }, {}, /--log-level/],
      [{}, { DATAFILES_METRICS_ACCESS: 'everyone' }, /--metrics-access/],
      [{ 'database-url': 'mysql://x' }, {}, /--database-url/],
      [{ 's3-endpoint': 'http://x' }, {}, /go together/],
      [{}, { DATAFILES_ADMIN_TOKEN: 'short' }, /DATAFILES_ADMIN_TOKEN/],
      [{ 'idle-timeout-ms': '0' }, {}, /--idle-timeout-ms/],
      [{ 'max-header-bytes': '1000' }, {}, /--max-header-bytes/],
      [{ 'request-timeout-ms': '1000', 'headers-timeout-ms': '5000' }, {}, /--headers-timeout-ms/],
      [{ clamd: 'localhost:3310' }, {}, /--clamd/],
      [{}, { DATAFILES_CLAMD: 'tcp://127.0.0.1:99999' }, /--clamd/],
      [{ clamd: 'unix:relative.sock' }, {}, /--clamd/],
      [{ 'scan-policy': 'paranoid' }, {}, /--scan-policy/],
      [{ 'scan-concurrency': '0' }, {}, /--scan-concurrency/],
    ];
    for (const [values, env, message] of bad)
      assert.throws(
        () => parseServeConfig(values, env),
        (error) => error instanceof ConfigError && message.test(error.message),
      );
  });

  it('has the abuse limits of issue 10 (docs/decisions.md 41, 42), each with its variable', () => {
    const defaults = parseServeConfig({}, {});
    assert.equal(defaults.maxOpenSessionsPerUser, 1000);
    assert.equal(defaults.authFailureBurst, 100);
    assert.equal(defaults.authFailureRate, 10);
    assert.equal(defaults.trustProxy, false);
    const env = {
      DATAFILES_MAX_OPEN_SESSIONS_PER_USER: '5',
      DATAFILES_AUTH_FAILURE_BURST: '0',
      DATAFILES_AUTH_FAILURE_RATE: '3',
      DATAFILES_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,loopback',
    };
    const config = parseServeConfig({}, env);
    assert.deepEqual(
      [config.maxOpenSessionsPerUser, config.authFailureBurst, config.authFailureRate, config.trustProxy],
      [5, 0, 3, '10.0.0.0/8,127.0.0.1,loopback'],
    );
    assert.equal(parseServeConfig({ 'trust-proxy': 'true' }, env).trustProxy, true);
    for (const [values, message] of [
      [{ 'max-open-sessions-per-user': '0' }, /--max-open-sessions-per-user/],
      [{ 'auth-failure-rate': '0' }, /--auth-failure-rate/],
      [{ 'trust-proxy': '2' }, /--trust-proxy/],
      [{ 'trust-proxy': '10.0.0.0/33' }, /--trust-proxy/],
      [{ 'trust-proxy': 'proxy.example' }, /--trust-proxy/],
    ] as const) {
      assert.throws(
        () => parseServeConfig(values, {}),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    }
  });
});
