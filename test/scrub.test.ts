// The background scrub (issue 16 item 1; docs/decisions.md 140) on both backends, SQLite + disk
// and PostgreSQL + S3: with a short --scrub-interval, a byte corrupted behind the running
// server's back is found by the scrub itself (no `datafiles verify` run), the revision is marked,
// its download answers REVISION_CORRUPT, the finding is logged and counted on /metrics, and a
// healthy file is still served.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { provisionBackend, type Backend } from './support/backend.js';
import { API, api, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';
import { waitFor } from './support/waitFor.js';

function argAfter(server: TestServer, name: string): string | undefined {
  const index = server.backend.args.indexOf(name);
  return index < 0 ? undefined : server.backend.args[index + 1];
}

async function blobKeyOf(server: TestServer, fileId: number): Promise<string> {
  const query = 'select r.blob_key from files f join revisions r on r.id = f.current_revision_id where f.id = ';
  const databaseUrl = argAfter(server, '--database-url');
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query(`${query}$1`, [fileId])).rows[0].blob_key;
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(server.dataDir, 'datafiles.sqlite'), { readonly: true });
  try {
    return (db.prepare(`${query}?`).get(fileId) as { blob_key: string }).blob_key;
  } finally {
    db.close();
  }
}

/** Flips one byte of a stored blob behind the server's back. */
async function corruptOneByte(server: TestServer, key: string): Promise<void> {
  const endpoint = argAfter(server, '--s3-endpoint');
  if (!endpoint) {
    const file = path.join(server.dataDir, 'files', 'blobs', key.slice(0, 2), key.slice(2, 4), key);
    const bytes = await readFile(file);
    bytes[100] ^= 0xff;
    await writeFile(file, bytes);
    return;
  }
  const credentials = { accessKeyId: server.backend.env.AWS_ACCESS_KEY_ID, secretAccessKey: server.backend.env.AWS_SECRET_ACCESS_KEY };
  const client = new S3Client({ endpoint, region: argAfter(server, '--s3-region') ?? 'us-east-1', forcePathStyle: true, credentials });
  const bucket = argAfter(server, '--s3-bucket')!;
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `blobs/${key}` }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    bytes[100] ^= 0xff;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `blobs/${key}`, Body: bytes }));
  } finally {
    client.destroy();
  }
}

for (const backend of ['embedded', 'scale-out'] as Backend[]) {
  describe(`the background scrub (${backend})`, () => {
    let server: TestServer;
    let alice: TestUser;
    before(async () => {
      server = await startTestServer({ backend: await provisionBackend(backend), args: ['--scrub-interval', '1s', '--scrub-max-mib-per-second', '8'] });
      alice = await server.addUser('alice');
    });
    after(async () => {
      await server?.cleanup();
      await server?.backend.release();
    });

    const upload = async (name: string, bytes: Buffer) => {
      const response = await api(server, alice.token, `${API}?name=${name}`, { method: 'POST', body: fileForm(bytes, name) });
      assert.equal(response.status, 200, await response.clone().text());
      return ((await response.json()) as { dataFileId: number }).dataFileId;
    };
    const scrubMetric = async (line: RegExp) => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const match = line.exec(text);
      return match ? Number(match[1]) : 0;
    };

    it('finds a corrupted byte while the server runs: the download answers REVISION_CORRUPT', async () => {
      const healthyBytes = randomBytes(40_000);
      const healthy = await upload('healthy.bin', healthyBytes);
      const victim = await upload('victim.bin', randomBytes(50_000));
      await waitFor(async () => (await scrubMetric(/^datafiles_scrub_passes_total\{result="clean"\} (\d+)/m)) >= 1, {
        timeoutMs: 30_000,
        what: 'a clean scrub pass',
      });

      await corruptOneByte(server, await blobKeyOf(server, victim));
      await waitFor(async () => (await api(server, alice.token, `${API}/${victim}`)).status === 500, {
        timeoutMs: 30_000,
        what: 'the scrub to mark the corrupted revision',
      });
      const answer = await api(server, alice.token, `${API}/${victim}`);
      const body = (await answer.json()) as { message: string };
      assert.match(body.message, /failed verification/);
      assert.ok((await scrubMetric(/^datafiles_scrub_findings_total\{kind="corrupt"\} (\d+)/m)) >= 1);
      assert.ok((await scrubMetric(/^datafiles_scrub_bytes_read_total (\d+)/m)) >= 90_000);
      // The log is written asynchronously: wait for the line rather than expect it already there.
      await waitFor(() => /do not match its size or hashes: marked corrupt/.test(server.output()), { what: 'the scrub to log the corrupt revision' });

      const served = await api(server, alice.token, `${API}/${healthy}`);
      assert.equal(served.status, 200);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), healthyBytes);
    });
  });
}
