// Which storage configuration the end-to-end suites run on (issue: "The whole end-to-end suite
// runs on both configurations, {SQLite + disk} and {PostgreSQL + S3}, selected by an environment
// variable"): DATAFILES_TEST_BACKEND=embedded (default) or scale-out.
//
// On scale-out, every test server gets a database and a bucket of its own, removed afterwards:
// PostgreSQL at DATAFILES_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) and
// the S3 server from ensureRgw() (the project's own Ceph RGW unless told otherwise).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureRgw } from './rgw.js';

export type Backend = 'embedded' | 'scale-out';

export function testBackend(): Backend {
  const value = process.env.DATAFILES_TEST_BACKEND ?? 'embedded';
  if (value !== 'embedded' && value !== 'scale-out') throw new Error(`DATAFILES_TEST_BACKEND must be embedded or scale-out, not ${value}`);
  return value;
}

export interface BackendResources {
  /** Extra `serve`/admin options. */
  args: string[];
  env: Record<string, string>;
  /** Drops what was created. */
  release(): Promise<void>;
}

const adminUrl = () => process.env.DATAFILES_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh PostgreSQL database and S3 bucket name for one test server. */
export async function provisionScaleOut(): Promise<BackendResources> {
  const suffix = randomBytes(6).toString('hex');
  const database = `datafiles_test_${suffix}`;
  const s3 = await ensureRgw();
  await withAdminClient((client) => client.query(`CREATE DATABASE ${database}`));
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return {
    args: ['--database-url', url.toString(), '--s3-endpoint', s3.endpoint, '--s3-bucket', `datafiles-test-${suffix}`, '--s3-region', s3.region],
    env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
    async release() {
      // The bucket's objects go with RGW's garbage collection; the database is dropped now.
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    },
  };
}

export async function provisionBackend(backend: Backend = testBackend()): Promise<BackendResources> {
  if (backend === 'scale-out') return provisionScaleOut();
  return { args: [], env: {}, release: async () => {} };
}
