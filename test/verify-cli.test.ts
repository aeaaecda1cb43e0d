// `datafiles verify` (issue 16, item 1) through the real CLI beside a running server, on the
// backend DATAFILES_TEST_BACKEND names (SQLite + disk, or PostgreSQL + S3): a clean store passes;
// then a corrupted byte, a deleted blob and a planted orphan are each reported (a blob shared by a
// duplicate is read once), exit status 1; --repair removes the orphan and marks the corrupt and
// missing revisions, whose downloads then answer a clear Domo-shaped REVISION_CORRUPT error.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { parseStorageConfig } from '../src/config.js';
import { openBlobStore } from '../src/server/openStores.js';
import { API, api, CLI, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

let server: TestServer;
let alice: TestUser;

const argAfter = (name: string) => {
  const index = server.backend.args.indexOf(name);
  return index < 0 ? undefined : server.backend.args[index + 1];
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function verify(extra: string[] = []): Promise<Run & { report: any }> {
  const env = { ...process.env, ...server.backend.env };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'verify', '--data', server.dataDir, ...server.backend.args, ...extra], { env }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      let report: any;
      try {
        report = JSON.parse(stdout);
      } catch {
        report = undefined;
      }
      resolve({ code, stdout, stderr, report });
    });
  });
}

/** Runs one statement on the server's database (`?` for the one parameter); returns the rows. */
async function sqlRows(statement: string, parameter: unknown, options: { write?: boolean } = {}): Promise<any[]> {
  const databaseUrl = argAfter('--database-url');
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query(statement.replace('?', '$1'), [parameter])).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(server.dataDir, 'datafiles.sqlite'), { readonly: !options.write });
  try {
    const prepared = db.prepare(statement);
    if (options.write) {
      prepared.run(parameter);
      return [];
    }
    return prepared.all(parameter);
  } finally {
    db.close();
  }
}

async function blobKeyOf(fileId: number): Promise<string> {
  const rows = await sqlRows('select r.blob_key from files f join revisions r on r.id = f.current_revision_id where f.id = ?', fileId);
  return rows[0].blob_key;
}

/** The server's own blob store, opened as the server opens it, to stage an upload no session names. */
async function serverBlobStore() {
  const values = {
    data: server.dataDir,
    'database-url': argAfter('--database-url'),
    's3-endpoint': argAfter('--s3-endpoint'),
    's3-bucket': argAfter('--s3-bucket'),
    's3-region': argAfter('--s3-region'),
  };
  return openBlobStore(parseStorageConfig(values, { ...process.env, ...server.backend.env }));
}

/** Reads, replaces or deletes a blob's bytes behind the server's back. */
const store = {
  s3(): { client: S3Client; bucket: string } | undefined {
    const endpoint = argAfter('--s3-endpoint');
    if (!endpoint) return undefined;
    const credentials = { accessKeyId: server.backend.env.AWS_ACCESS_KEY_ID, secretAccessKey: server.backend.env.AWS_SECRET_ACCESS_KEY };
    return {
      client: new S3Client({ endpoint, region: argAfter('--s3-region') ?? 'us-east-1', forcePathStyle: true, credentials }),
      bucket: argAfter('--s3-bucket')!,
    };
  },
  diskPath: (key: string) => path.join(server.dataDir, 'files', 'blobs', key.slice(0, 2), key.slice(2, 4), key),
  async read(key: string): Promise<Buffer> {
    const s3 = this.s3();
    if (!s3) return readFile(this.diskPath(key));
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `blobs/${key}` }));
    return Buffer.from(await object.Body!.transformToByteArray());
  },
  async write(key: string, bytes: Buffer): Promise<void> {
    const s3 = this.s3();
    if (!s3) {
      await mkdir(path.dirname(this.diskPath(key)), { recursive: true });
      return writeFile(this.diskPath(key), bytes);
    }
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `blobs/${key}`, Body: bytes }));
  },
  async remove(key: string): Promise<void> {
    const s3 = this.s3();
    if (!s3) return rm(this.diskPath(key));
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `blobs/${key}` }));
  },
  async exists(key: string): Promise<boolean> {
    return this.read(key).then(
      () => true,
      () => false,
    );
  },
};

async function upload(name: string, bytes: Buffer): Promise<number> {
  const response = await api(server, alice.token, `${API}?name=${name}`, { method: 'POST', body: fileForm(bytes, name) });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).dataFileId;
}

async function download(fileId: number): Promise<{ status: number; body: string }> {
  const response = await api(server, alice.token, `${API}/${fileId}`);
  return { status: response.status, body: await response.text() };
}

const files: Record<'corrupted' | 'deleted' | 'healthy' | 'duplicate' | 'assembled', number> = {
  corrupted: 0,
  deleted: 0,
  healthy: 0,
  duplicate: 0,
  assembled: 0,
};
const contents: Record<string, Buffer> = {};
const orphanKey = randomBytes(16).toString('hex');

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  for (const name of ['corrupted', 'deleted', 'healthy'] as const) {
    contents[name] = randomBytes(64 * 1024 + name.length);
    files[name] = await upload(`${name}.bin`, contents[name]);
  }
  const duplicated = await api(server, alice.token, `${API}/${files.healthy}/duplicate`, { method: 'POST' });
  assert.equal(duplicated.status, 200, await duplicated.clone().text());
  const details = await duplicated.json();
  files.duplicate = details.dataFileId ?? details.id;
  // A multipart upload: an assembled blob (a directory of parts on disk, a multipart object on S3).
  const json = { 'content-type': 'application/json' };
  const created = await api(server, alice.token, `${API}/multipart`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ name: 'parts.bin', contentType: 'application/octet-stream' }),
  });
  const { sessionId } = await created.json();
  contents.assembled = randomBytes(3 * 50_000);
  for (let index = 1; index <= 3; index += 1) {
    const part = contents.assembled.subarray((index - 1) * 50_000, index * 50_000);
    const put = await api(server, alice.token, `${API}/multipart/${sessionId}/part/${index}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: part as BodyInit,
    });
    assert.equal(put.status, 200, await put.text());
  }
  const committed = await api(server, alice.token, `${API}/multipart/${sessionId}/commit`, { method: 'POST', headers: json, body: '{}' });
  assert.equal(committed.status, 200, await committed.clone().text());
  const assembled = await committed.json();
  files.assembled = assembled.dataFileId ?? assembled.id;
});
after(() => server?.cleanup());

describe('datafiles verify', () => {
  it('passes a sound store beside the running server: exit 0, a shared blob read once', async () => {
    const result = await verify(['--grace-seconds', '0']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.report.ok, true);
    assert.equal(result.report.revisionsChecked, 5);
    assert.equal(result.report.blobsChecked, 4, "the duplicate shares the healthy file's blob");
    assert.equal(result.report.bytesRead, contents.corrupted.length + contents.deleted.length + contents.healthy.length + contents.assembled.length);
    assert.equal(await blobKeyOf(files.duplicate), await blobKeyOf(files.healthy));
  });

  it('reports a corrupted byte, a deleted blob and an orphan, exit 1; nothing is changed without --repair', async () => {
    const corruptKey = await blobKeyOf(files.corrupted);
    const bytes = await store.read(corruptKey);
    bytes[1000] ^= 0xff;
    await store.write(corruptKey, bytes);
    await store.remove(await blobKeyOf(files.deleted));
    await store.write(orphanKey, randomBytes(1234));

    const result = await verify(['--grace-seconds', '0']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const report = result.report;
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.corrupt.items.map((item: any) => item.fileId),
      [files.corrupted],
    );
    assert.equal(report.corrupt.items[0].actual.sizeBytes, contents.corrupted.length);
    assert.notEqual(report.corrupt.items[0].actual.sha256, report.corrupt.items[0].expected.sha256);
    assert.deepEqual(
      report.missing.items.map((item: any) => item.fileId),
      [files.deleted],
    );
    assert.deepEqual(
      report.orphans.items.map((item: any) => [item.blobKey, item.sizeBytes, item.removed]),
      [[orphanKey, 1234, false]],
    );
    assert.ok(await store.exists(orphanKey));

    // An orphan younger than the grace period may be an upload in flight: left alone.
    const young = await verify();
    assert.equal(young.report.orphans.count, 0);
  });

  it('--repair removes the orphan and marks the corrupt and missing revisions: their downloads answer REVISION_CORRUPT', async () => {
    // Before the repair the corrupted file is served silently, wrong bytes and all.
    const before = await download(files.corrupted);
    assert.equal(before.status, 200);
    assert.notEqual(before.body, contents.corrupted.toString());

    const repaired = await verify(['--grace-seconds', '0', '--repair']);
    assert.equal(repaired.code, 1, 'what was corrupt stays lost: the exit status still says so');
    assert.deepEqual(
      repaired.report.orphans.items.map((item: any) => item.removed),
      [true],
    );
    assert.equal(await store.exists(orphanKey), false);

    for (const fileId of [files.corrupted, files.deleted]) {
      const answer = await download(fileId);
      assert.equal(answer.status, 500);
      const body = JSON.parse(answer.body);
      assert.deepEqual(Object.keys(body).sort(), ['message', 'status', 'statusReason', 'toe']);
      assert.match(body.message, /failed verification \(datafiles verify\)/);
    }
    const healthy = await api(server, alice.token, `${API}/${files.duplicate}`);
    assert.equal(healthy.status, 200);
    assert.deepEqual(Buffer.from(await healthy.arrayBuffer()), contents.healthy);

    // Afterwards: no orphan any more; the corrupt revision is still reported, with its mark.
    const again = await verify(['--grace-seconds', '0']);
    assert.equal(again.code, 1);
    assert.equal(again.report.orphans.count, 0);
    assert.equal(again.report.corrupt.count, 1);
    assert.equal(typeof again.report.corrupt.items[0].markedAt, 'number');
  });

  it('reports a staged upload no session names, and --repair aborts it', async () => {
    const blobs = await serverBlobStore();
    let uploadId: string;
    try {
      ({ uploadId } = await blobs.createUpload());
      await blobs.putPart({ uploadId, index: 1, body: Readable.from([Buffer.from('stray part')]), sizeBytes: 10 });
    } finally {
      await blobs.close();
    }
    const found = await verify(['--grace-seconds', '0']);
    assert.deepEqual(
      found.report.strayUploads.items.map((item: any) => [item.uploadId, item.removed]),
      [[uploadId, false]],
    );
    const repaired = await verify(['--grace-seconds', '0', '--repair']);
    assert.deepEqual(
      repaired.report.strayUploads.items.map((item: any) => [item.uploadId, item.removed]),
      [[uploadId, true]],
    );
    const after = await verify(['--grace-seconds', '0']);
    assert.equal(after.report.strayUploads.count, 0);
  });

  it('answers usage errors with exit 2 and refuses a data directory with no database', async () => {
    const bad = await verify(['--max-mib-per-second', 'fast']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-mib-per-second/);
    const env = { ...process.env };
    const missing = await new Promise<Run>((resolve) =>
      execFile(process.execPath, [CLI, 'verify', '--data', path.join(server.dataDir, 'nowhere')], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no datafiles database/);
  });

  // Last: the server is stopped first, so that its sweep (docs/decisions.md 51) cannot roll the
  // planted COMMITTING session back while verify looks; verify needs no server.
  it('reports a session stuck in COMMITTING, also with the server stopped', async () => {
    const created = await api(server, alice.token, `${API}/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stuck.txt', contentType: 'text/plain' }),
    });
    assert.equal(created.status, 200, await created.clone().text());
    const { sessionId } = await created.json();
    await server.stop();
    await sqlRows("update upload_sessions set state = 'COMMITTING', updated_at = 1 where id = ?", sessionId, { write: true });
    const result = await verify(['--grace-seconds', '0']);
    assert.equal(result.code, 1);
    assert.deepEqual(
      result.report.stuckCommitting.items.map((item: any) => item.sessionId),
      [sessionId],
    );
  });
});
