// Which storage configuration the end-to-end suites run on (issue: "The whole end-to-end suite
// runs on both configurations, {SQLite + disk} and {PostgreSQL + S3}, selected by an environment
// variable"): DATAFILES_TEST_BACKEND=embedded (default) or scale-out.
//
// On scale-out, every test server gets a database and a bucket of its own, removed afterwards:
// PostgreSQL at DATAFILES_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) and
// the S3 server from ensureRgw() (the project's own Ceph RGW unless told otherwise).
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
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
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      // Empty and remove the bucket too: a test RGW keeps its data in memory (memstore).
      await removeBucket(s3, `datafiles-test-${suffix}`);
    },
  };
}

export async function provisionBackend(backend: Backend = testBackend()): Promise<BackendResources> {
  if (backend === 'scale-out') return provisionScaleOut();
  return { args: [], env: {}, release: async () => {} };
}

export async function removeBucket(s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }, bucket: string): Promise<void> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    for (;;) {
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      for (const upload of uploads.Uploads ?? [])
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const objects = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
      if (objects.length === 0 && !uploads.IsTruncated) break;
      if (objects.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // A bucket the server never created (it failed to start) is nothing to remove.
    if ((error as { name?: string }).name !== 'NoSuchBucket') throw error;
  } finally {
    client.destroy();
  }
}
