// Latency of small operations, one client, sequential: medians of N uploads, details and
// downloads of a 4 KiB file (first read, and read again: from the small-file cache), on SQLite +
// disk and on PostgreSQL + S3 (issue 17, item 4).
//
//   npm run build && node --import tsx bench/smallOps.ts [--count N] [--bytes B]
//
// The S3 server is the project's Ceph RGW (test/support/rgw.ts), or the one named by
// DATAFILES_TEST_S3_ENDPOINT with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. It also times
// GetObject alone through the server's own S3 client (src/adapters/blob/s3/s3Client.ts): time to
// the response headers and to the body's end, which is where a stall in the S3 server's writes
// shows (docs/decisions.md 110).
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createS3Client } from '../src/adapters/blob/s3/s3Client.js';
import { provisionBackend, type Backend } from '../test/support/backend.js';
import { ensureRgw } from '../test/support/rgw.js';
import { startDatafiles } from './support/datafilesServer.js';

const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API = '/domo/data-files/v1';
const { values: args } = parseArgs({ options: { count: { type: 'string', default: '50' }, bytes: { type: 'string', default: '4096' } } });
const count = Number(args.count);
const bytes = Number(args.bytes);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function ok(response: Response): Promise<Response> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return response;
}

async function measureServer(backend: Backend): Promise<Record<string, number>> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'datafiles-smallops-'));
  const resources = await provisionBackend(backend);
  const server = await startDatafiles({ root: REPO_DIR, scratch, backend: resources, logLevel: 'warn' });
  try {
    const { token } = await server.addUser('bench');
    const headers = { 'X-DOMO-Developer-Token': token };
    const body = randomBytes(bytes);
    const upload = async () => {
      const form = new FormData();
      form.set('file', new Blob([body], { type: 'application/octet-stream' }), 'small.bin');
      const response = await ok(await fetch(`${server.url}${API}?name=small-${randomBytes(6).toString('hex')}.bin`, { method: 'POST', headers, body: form }));
      return ((await response.json()) as { dataFileId: number }).dataFileId;
    };
    const id = await upload(); // warm-up: connections, prepared statements, the bucket
    const download = async (fileId: number) => {
      const got = Buffer.from(await (await ok(await fetch(`${server.url}${API}/${fileId}`, { headers }))).arrayBuffer());
      if (!got.equals(body)) throw new Error('downloaded bytes differ from the uploaded ones');
    };
    await download(id);
    const times = { upload: [] as number[], details: [] as number[], firstDownload: [] as number[], download: [] as number[] };
    for (let i = 0; i < count; i++) {
      let fresh = 0;
      times.upload.push(await timed(async () => void (fresh = await upload())));
      times.details.push(await timed(async () => void (await (await ok(await fetch(`${server.url}${API}/${id}/details`, { headers }))).json())));
      // A file never read before comes from the store; one read before, from the small-file cache
      // (docs/decisions.md 182).
      times.firstDownload.push(await timed(() => download(fresh)));
      times.download.push(await timed(() => download(id)));
    }
    return { upload: median(times.upload), details: median(times.details), firstDownload: median(times.firstDownload), download: median(times.download) };
  } finally {
    await server.stop();
    await resources.release();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** GetObject alone, through the server's S3 client: ms to the headers and to the body's end. */
async function measureGetObject(): Promise<Record<string, number>> {
  const s3 = await ensureRgw();
  const client = createS3Client(s3);
  const Bucket = `datafiles-smallops-${randomBytes(6).toString('hex')}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket }));
    await client.send(new PutObjectCommand({ Bucket, Key: 'small', Body: randomBytes(bytes) }));
    const toHeaders: number[] = [];
    const toEnd: number[] = [];
    for (let i = 0; i <= count; i++) {
      const started = performance.now();
      const response = await client.send(new GetObjectCommand({ Bucket, Key: 'small' }));
      const headersAt = performance.now();
      await response.Body!.transformToByteArray();
      if (i === 0) continue; // warm-up
      toHeaders.push(headersAt - started);
      toEnd.push(performance.now() - started);
    }
    return { headers: median(toHeaders), body: median(toEnd) };
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket, Key: 'small' })).catch(() => undefined);
    await client.send(new DeleteBucketCommand({ Bucket })).catch(() => undefined);
    client.destroy();
  }
}

const embedded = await measureServer('embedded');
const scaleOut = await measureServer('scale-out');
const getObject = await measureGetObject();
const row = (name: string, a: number, b: number) => `| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(1)}× |`;
console.log(`${count} sequential operations on a ${bytes}-byte file, medians in ms (S3: ${(await ensureRgw()).endpoint})\n`);
console.log('| operation | SQLite + disk | PostgreSQL + S3 | ratio |\n|---|---|---|---|');
const labels = { upload: 'upload', details: 'details', firstDownload: 'download, first read', download: 'download, read again' } as const;
for (const [name, label] of Object.entries(labels)) console.log(row(label, embedded[name]!, scaleOut[name]!));
console.log(`\nGetObject alone (server's S3 client): headers after ${getObject.headers!.toFixed(1)} ms, body's end after ${getObject.body!.toFixed(1)} ms`);
