// S3 settings for tests that need a real S3 server. With DATAFILES_TEST_S3_ENDPOINT set, that
// server is used (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, region from
// DATAFILES_TEST_S3_REGION or us-east-1). Otherwise the project's own single-node Ceph RGW is
// started with scripts/services/start-ceph-rgw.sh (idempotent: ~0.1 s when it is already up,
// ~4 s to start, ~40 s more the first time on a machine, to install Ceph; needs root or
// password-less sudo for that install). RGW is left running for the next test file or run; stop
// it with scripts/services/stop-ceph-rgw.sh.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface S3TestSettings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const startScript = path.join(repositoryRoot, 'scripts/services/start-ceph-rgw.sh');

let settings: Promise<S3TestSettings> | undefined;

/** The S3 server tests should use, started if need be (once per process). */
export function ensureRgw(): Promise<S3TestSettings> {
  settings ??= resolveSettings();
  return settings;
}

async function resolveSettings(): Promise<S3TestSettings> {
  const endpoint = process.env.DATAFILES_TEST_S3_ENDPOINT;
  if (endpoint) {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('DATAFILES_TEST_S3_ENDPOINT is set, so AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set too.');
    }
    return { endpoint, region: process.env.DATAFILES_TEST_S3_REGION || 'us-east-1', accessKeyId, secretAccessKey };
  }
  return startRgw();
}

async function startRgw(): Promise<S3TestSettings> {
  // The script prints the settings and also writes them to CEPH_ENV_FILE, which is what we read:
  // the daemons it starts outlive it, so its output streams are not a reliable end-of-output sign.
  const directory = await mkdtemp(path.join(tmpdir(), 'datafiles-rgw-settings-'));
  const envFile = path.join(directory, 's3.env');
  try {
    const { code, stderr } = await runServiceScript(startScript, { CEPH_ENV_FILE: envFile });
    if (code !== 0) {
      throw new Error(
        `Could not start Ceph RGW for the S3 tests (${startScript} exited with ${code}).\n` +
          'Start it yourself (as root: scripts/services/start-ceph-rgw.sh), or point the tests at an S3 server with ' +
          'DATAFILES_TEST_S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.\n' +
          `Last lines of its output:\n${stderr.split('\n').slice(-25).join('\n')}`,
      );
    }
    const values = parseKeyValueLines(await readFile(envFile, 'utf8'));
    const required = (name: string): string => {
      const value = values.get(name);
      if (!value) throw new Error(`${startScript} did not report ${name}.`);
      return value;
    };
    return {
      endpoint: required('S3_ENDPOINT'),
      region: values.get('S3_REGION') || 'us-east-1',
      accessKeyId: required('S3_ACCESS_KEY'),
      secretAccessKey: required('S3_SECRET_KEY'),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Runs one of the project's service scripts (scripts/services/*.sh) with bash; its stderr (the
 * last 20,000 characters) is kept for an error message. Resolves on 'exit', not 'close': a daemon
 * it starts keeps a copy of stderr open, which would delay 'close' indefinitely.
 */
export function runServiceScript(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-20_000);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

export function parseKeyValueLines(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1], match[2]);
  }
  return values;
}
