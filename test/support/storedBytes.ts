// What a test server has stored as bytes, whichever backend it runs on, so "nothing is left
// behind" can be asserted on both: blobs (one per stored revision) and temporaries (writes in
// progress or abandoned). Disk: files under <dataDir>/files/{blobs,tmp}. S3: objects under the
// bucket's blobs/ prefix, and multipart uploads in progress that belong to no open staged upload.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { TestServer } from './server.js';

export interface StoredBytes {
  blobs(): Promise<string[]>;
  temporaries(): Promise<string[]>;
  close(): void;
}

async function filesUnder(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true, recursive: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function argument(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

function s3StoredBytes(server: TestServer, bucket: string, endpoint: string): StoredBytes {
  const client = new S3Client({
    endpoint,
    region: argument(server.backend.args, '--s3-region') ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.backend.env.AWS_ACCESS_KEY_ID, secretAccessKey: server.backend.env.AWS_SECRET_ACCESS_KEY },
  });
  const listKeys = async (prefix: string) => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  };
  return {
    blobs: () => listKeys('blobs/'),
    async temporaries() {
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      // A staged (multipart-session) upload keeps an uploads/<key>/open marker while it is open.
      const open = new Set((await listKeys('uploads/')).filter((key) => key.endsWith('/open')).map((key) => key.split('/')[1]));
      return (uploads.Uploads ?? []).map((upload) => upload.Key!).filter((key) => !open.has(key.split('/').pop()!));
    },
    close: () => client.destroy(),
  };
}

export function storedBytesOf(server: TestServer): StoredBytes {
  const bucket = argument(server.backend.args, '--s3-bucket');
  const endpoint = argument(server.backend.args, '--s3-endpoint');
  if (bucket && endpoint) return s3StoredBytes(server, bucket, endpoint);
  return {
    blobs: () => filesUnder(path.join(server.dataDir, 'files', 'blobs')),
    temporaries: () => filesUnder(path.join(server.dataDir, 'files', 'tmp')),
    close: () => {},
  };
}
