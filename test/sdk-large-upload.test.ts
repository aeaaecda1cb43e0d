// Issue #4, "Tests that must exist": uploadLargeFile of a file of a few hundred MiB (256 MiB, made
// on disk and removed after) against the real server, in 16 MiB parts, 4 at once; the server's
// MD5 and SHA-256 and a streamed download must match the bytes on disk.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, it } from 'node:test';
import { createClient, DEFAULT_PART_SIZE, type UploadProgress } from '@datafiles/sdk';
import { generatedBytes } from './support/generatedBody.js';
import { startTestServer, type TestServer, type TestUser } from './support/server.js';

const SIZE = 256 * 1024 * 1024;
const MIB = 1024 * 1024;

let server: TestServer;
let user: TestUser;
let directory: string;
let filePath: string;
let digests: { md5: string; sha256: string };

before(async () => {
  server = await startTestServer();
  user = await server.addUser('uploader');
  directory = await mkdtemp(path.join(os.tmpdir(), 'datafiles-sdk-large-'));
  filePath = path.join(directory, 'large.bin');
  const generated = generatedBytes(SIZE);
  await pipeline(Readable.from(generated.chunks()), createWriteStream(filePath));
  digests = generated.digests();
});
after(async () => {
  await server?.cleanup();
  if (directory) await rm(directory, { recursive: true, force: true });
});

it('uploads 256 MiB in 16 parts, 4 at a time, and the server holds exactly those bytes', async (t) => {
  let inFlight = 0;
  let mostInFlight = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    const isPart = init?.method === 'PUT' && String(input).includes('/part/');
    if (isPart) mostInFlight = Math.max(mostInFlight, ++inFlight);
    try {
      return await fetch(input, init);
    } finally {
      if (isPart) inFlight -= 1;
    }
  };
  const client = createClient({ baseUrl: server.url, token: user.token, fetch: countingFetch });
  const progress: UploadProgress[] = [];
  const started = performance.now();
  const result = await client.uploadLargeFile(await openAsBlob(filePath), {
    name: 'large.bin',
    contentType: 'application/x-large',
    onProgress: (each) => progress.push(each),
  });
  const uploadSeconds = (performance.now() - started) / 1000;
  t.diagnostic(`upload: ${SIZE / MIB} MiB in ${uploadSeconds.toFixed(2)} s = ${(SIZE / MIB / uploadSeconds).toFixed(1)} MiB/s`);

  assert.equal(result.method, 'multipart');
  assert.equal(result.partsTotal, SIZE / DEFAULT_PART_SIZE);
  assert.equal(result.partsUploaded, 16);
  assert.equal(mostInFlight, 4, 'four parts in flight at once (the default concurrency)');
  const last = progress.at(-1)!;
  assert.deepEqual(last, { bytesSent: SIZE, totalBytes: SIZE, partsDone: 16, partsTotal: 16 });
  for (let index = 1; index < progress.length; index++) assert.ok(progress[index].bytesSent >= progress[index - 1].bytesSent, 'progress only grows');

  const details = await client.getFileDetails(result.dataFileId, { expand: ['metadata'] });
  assert.equal(details.name, 'large.bin');
  assert.equal(details.currentRevision.dataFileRevisionId, result.revisionId);
  assert.equal(details.currentRevision.sizeBytes, SIZE);
  assert.equal(details.currentRevision.contentType, 'application/x-large');
  assert.equal(details.currentRevision.sha256HashValue, digests.sha256);
  assert.equal(details.currentRevision.md5Hash, digests.md5);

  const downloadStarted = performance.now();
  const download = await client.downloadFile(result.dataFileId, { as: 'stream' });
  assert.equal(download.sha256, digests.sha256);
  const hash = createHash('sha256');
  let received = 0;
  for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    received += chunk.length;
  }
  const downloadSeconds = (performance.now() - downloadStarted) / 1000;
  t.diagnostic(`download: ${SIZE / MIB} MiB in ${downloadSeconds.toFixed(2)} s = ${(SIZE / MIB / downloadSeconds).toFixed(1)} MiB/s`);
  assert.equal(received, SIZE);
  assert.equal(hash.digest('hex').toUpperCase(), digests.sha256);

  // A range across a part boundary reads the assembled bytes in order.
  const boundary = DEFAULT_PART_SIZE * 3;
  const range = await client.downloadFile(result.dataFileId, { range: { start: boundary - 8, end: boundary + 7 } });
  assert.equal(range.status, 206);
  const expected = Buffer.alloc(16);
  const handle = await import('node:fs/promises').then((fs) => fs.open(filePath));
  try {
    await handle.read(expected, 0, 16, boundary - 8);
  } finally {
    await handle.close();
  }
  assert.deepEqual(Buffer.from(await range.blob.arrayBuffer()), expected);
});
