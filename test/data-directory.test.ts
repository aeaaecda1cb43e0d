// Issue 10, items 8-10: the data directory of `datafiles serve` (docs/decisions.md 45-47).
//   8. Everything on disk is owner-only (0700 directories, 0600 files), whatever the umask.
//   9. A second server on the same data directory exits, naming the first; the first one's upload
//      in progress completes (it used to be swept away as an orphan: 500). A crashed server's lock
//      is taken over. On PostgreSQL + S3 (shared by design, no lock) a starting server leaves
//      another's upload in progress alone.
//  10. Admin commands never create a data directory or a database.
// The data directory matters on the embedded backend only, so these tests choose their backends
// themselves: embedded, and PostgreSQL + S3 where named.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { provisionBackend, provisionScaleOut, type BackendResources } from './support/backend.js';
import { API, api, CLI, fileForm, startTestServer, type TestServer } from './support/server.js';
import { waitFor } from './support/waitFor.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const postgresUrl = () => process.env.DATAFILES_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'datafiles-datadir-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

async function embedded(): Promise<BackendResources> {
  return provisionBackend('embedded');
}

async function started(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(options);
  cleanups.push(() => server.cleanup());
  return server;
}

/** Polls `condition` until it holds, for at most 20 s. */
const waitUntil = (condition: () => Promise<boolean>, what: string) => waitFor(condition, { what, timeoutMs: 20_000, intervalMs: 25 });

/** Every path under `directory` (itself included) with its permission bits. */
async function walk(directory: string): Promise<{ path: string; mode: number }[]> {
  const stats = await lstat(directory);
  const entries = [{ path: directory, mode: stats.mode & 0o777 }];
  if (stats.isDirectory()) for (const name of await readdir(directory)) entries.push(...(await walk(path.join(directory, name))));
  return entries;
}

/**
 * An upload whose body is sent in two goes: `first` now, `rest` when finish() is called, like a
 * slow client. The response settles once the server answers.
 */
function beginSlowUpload(
  server: { url: string },
  token: string,
  first: Buffer,
  rest: Buffer,
): { finish(): void; response: Promise<{ status: number; body: string }> } {
  const boundary = `slow-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const request = http.request(`${server.url}${API}?name=slow.bin`, {
    method: 'POST',
    headers: {
      'X-DOMO-Ryuu-Session': token,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + first.length + rest.length + tail.length,
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
      incoming.on('error', reject);
    });
    request.on('error', reject);
  });
  // A test that fails early leaves the request behind; its failure then is no news.
  response.catch(() => undefined);
  request.write(Buffer.concat([head, first]));
  return { finish: () => request.end(Buffer.concat([rest, tail])), response };
}

async function downloaded(server: TestServer, token: string, dataFileId: number): Promise<Buffer> {
  const response = await api(server, token, `${API}/${dataFileId}`);
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

async function postJson(server: TestServer, token: string, pathAndQuery: string, body?: unknown): Promise<Response> {
  return api(server, token, pathAndQuery, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function openSessionWithParts(server: TestServer, token: string, parts: Buffer[]): Promise<string> {
  const created = await postJson(server, token, `${API}/multipart`, { name: 'parts.bin', contentType: 'application/octet-stream' });
  assert.equal(created.status, 200, await created.clone().text());
  const { sessionId } = (await created.json()) as { sessionId: string };
  for (const [position, bytes] of parts.entries()) {
    const put = await api(server, token, `${API}/multipart/${sessionId}/part/${position + 1}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes as BodyInit,
    });
    assert.equal(put.status, 200, await put.text());
  }
  return sessionId;
}

/** Runs the CLI in `cwd` with no DATAFILES_* variable but those given. */
function runCli(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DATAFILES_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...env, ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const ADMIN_COMMANDS = [
  ['users', 'add', 'bob'],
  ['users', 'add', 'root2', '--admin'],
  ['groups', 'add', 'finance'],
  ['groups', 'add-member', 'finance', 'bob'],
  ['tokens', 'create', 'admin'],
];

describe('item 8: the data directory is owner-only', () => {
  for (const umask of [0o022, 0o000]) {
    it(`with umask ${umask.toString(8).padStart(3, '0')}, every directory serve creates is 0700 and every file 0600 (database, -wal, -shm, lock, blobs, parts, temporary files)`, async () => {
      const dataDir = path.join(await temporaryDirectory(), 'data'); // created by serve itself
      const previous = process.umask(umask); // inherited by the server it spawns
      let server: TestServer;
      try {
        server = await started({ dataDir, backend: await embedded() });
      } finally {
        process.umask(previous);
      }
      const token = server.adminToken;
      const uploaded = await api(server, token, `${API}?name=plain.txt`, { method: 'POST', body: fileForm('some bytes') });
      assert.equal(uploaded.status, 200, await uploaded.text());
      const committedSession = await openSessionWithParts(server, token, [randomBytes(1000), randomBytes(1000)]);
      const commit = await postJson(server, token, `${API}/multipart/${committedSession}/commit`);
      assert.equal(commit.status, 200, await commit.text());
      await openSessionWithParts(server, token, [randomBytes(500)]); // left open: staged parts
      const slow = beginSlowUpload(server, token, randomBytes(64 * 1024), randomBytes(1024));
      await waitUntil(async () => (await readdir(path.join(dataDir, 'files', 'tmp'))).length > 0, 'the slow upload has a temporary file');

      const entries = await walk(dataDir);
      const open = entries
        .filter((entry) => (entry.mode & 0o077) !== 0)
        .map((entry) => `${entry.mode.toString(8)} ${path.relative(dataDir, entry.path) || '.'}`);
      assert.deepEqual(open, [], 'nothing readable by group or others');
      const names = entries.map((entry) => path.relative(dataDir, entry.path));
      for (const expected of ['datafiles.sqlite', 'datafiles.sqlite-wal', 'datafiles.sqlite-shm', 'datafiles.lock'])
        assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
      assert.ok(
        names.some((name) => name.endsWith('manifest.json')),
        'an assembled blob',
      );
      assert.ok(
        names.some((name) => name.startsWith(path.join('files', 'uploads')) && /part-1(\.[^/]+)?$/.test(name)),
        'a staged part (part-1, or part-1.<version>)',
      );
      assert.ok(
        names.some((name) => name.startsWith(path.join('files', 'tmp') + path.sep)),
        'a temporary file',
      );

      slow.finish();
      assert.equal((await slow.response).status, 200);
    });
  }
});

describe('item 9: one server per data directory', () => {
  it('a second serve on the same data directory exits with 1, naming the directory and the pid of the first, whose upload in progress completes; a crashed server’s lock is taken over', async () => {
    const first = await started({ backend: await embedded() });
    const rest = randomBytes(2 * MiB);
    const firstBytes = randomBytes(MiB);
    const slow = beginSlowUpload(first, first.adminToken, firstBytes, rest);
    await waitUntil(async () => (await readdir(path.join(first.dataDir, 'files', 'tmp'))).length > 0, 'the upload is in progress');

    const second = await startTestServer({ dataDir: first.dataDir, backend: await embedded(), adminToken: first.adminToken }).then(
      (server) => {
        cleanups.push(() => server.cleanup());
        return server;
      },
      (error: Error) => error,
    );
    slow.finish();
    const answer = await slow.response;
    assert.equal(answer.status, 200, answer.body);
    assert.ok(second instanceof Error, 'the second server must not start');
    assert.match(second.message, /server exited with 1 before listening/);
    assert.ok(second.message.includes(`the data directory ${first.dataDir} is in use by another datafiles server (pid ${first.child.pid} `), second.message);
    assert.match(second.message, /--data DIR \(or DATAFILES_DATA_DIR\)/);
    const { dataFileId } = JSON.parse(answer.body) as { dataFileId: number };
    assert.equal(sha256(await downloaded(first, first.adminToken, dataFileId)), sha256(Buffer.concat([firstBytes, rest])));

    // SIGKILL leaves the lock file behind, but not the lock: the next server starts.
    await first.kill();
    const third = await started({ dataDir: first.dataDir, backend: await embedded(), adminToken: first.adminToken });
    assert.equal(sha256(await downloaded(third, first.adminToken, dataFileId)), sha256(Buffer.concat([firstBytes, rest])));
  });

  it('on PostgreSQL + S3, where servers share the stores by design, a server starting leaves another’s upload in progress alone', async () => {
    const backend = await provisionScaleOut();
    cleanups.push(() => backend.release());
    const option = (name: string) => backend.args[backend.args.indexOf(name) + 1];
    const s3 = new S3Client({
      endpoint: option('--s3-endpoint'),
      region: option('--s3-region'),
      forcePathStyle: true,
      credentials: { accessKeyId: backend.env.AWS_ACCESS_KEY_ID, secretAccessKey: backend.env.AWS_SECRET_ACCESS_KEY },
    });
    cleanups.push(async () => s3.destroy());
    const first = await started({ backend });
    // Longer than one S3 part (8 MiB): the server has an S3 multipart upload in flight.
    const firstBytes = randomBytes(9 * MiB);
    const rest = randomBytes(MiB);
    const slow = beginSlowUpload(first, first.adminToken, firstBytes, rest);
    await waitUntil(
      async () => ((await s3.send(new ListMultipartUploadsCommand({ Bucket: option('--s3-bucket') }))).Uploads ?? []).length > 0,
      'the S3 multipart upload exists',
    );

    const second = await started({ backend, adminToken: first.adminToken });
    slow.finish();
    const answer = await slow.response;
    assert.equal(answer.status, 200, answer.body);
    const { dataFileId } = JSON.parse(answer.body) as { dataFileId: number };
    assert.equal(sha256(await downloaded(second, first.adminToken, dataFileId)), sha256(Buffer.concat([firstBytes, rest])));
  });
});

describe('item 10: admin commands never create a data directory or a database', () => {
  it('run where there is no data directory, each admin command exits with 1, names the absolute directory and how to point elsewhere, and creates nothing', async () => {
    const cwd = await temporaryDirectory();
    for (const command of ADMIN_COMMANDS) {
      const { code, stdout, stderr } = await runCli(command, { cwd });
      assert.equal(code, 1, `${command.join(' ')}: ${stderr}`);
      assert.equal(stdout, '', 'no token printed');
      assert.ok(stderr.includes(`no datafiles database in the data directory ${path.join(cwd, 'data')} `), stderr);
      assert.match(stderr, /--data DIR or DATAFILES_DATA_DIR=DIR/);
      assert.match(stderr, /"datafiles serve" does/);
    }
    assert.deepEqual(await readdir(cwd), []);
  });

  it('pointed (by DATAFILES_DATA_DIR or --data) at a directory that holds no database, it refuses and leaves the directory empty; once serve has created one there, it works', async () => {
    const dataDir = await temporaryDirectory();
    const cwd = await temporaryDirectory();
    const ways: { args: string[]; env: Record<string, string> }[] = [
      { args: [], env: { DATAFILES_DATA_DIR: dataDir } },
      { args: ['--data', dataDir], env: {} },
    ];
    for (const how of ways) {
      const { code, stdout, stderr } = await runCli(['users', 'add', 'bob', ...how.args], { cwd, env: how.env });
      assert.equal(code, 1, stderr);
      assert.equal(stdout, '');
      assert.ok(stderr.includes(`no datafiles database in the data directory ${dataDir} (${path.join(dataDir, 'datafiles.sqlite')} does not exist)`), stderr);
    }
    assert.deepEqual(await readdir(dataDir), []);

    const server = await started({ dataDir, backend: await embedded() });
    await server.stop();
    const { code, stdout, stderr } = await runCli(['users', 'add', 'bob'], { cwd, env: { DATAFILES_DATA_DIR: dataDir } });
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).name, 'bob');
  });

  it('pointed at a PostgreSQL database without datafiles tables, it refuses (the password hidden) and creates no table', async () => {
    const database = `datafiles_test_empty_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    cleanups.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    });
    const url = new URL(postgresUrl());
    url.pathname = `/${database}`;
    url.password = 'not-shown';
    const cwd = await temporaryDirectory();
    for (const command of ADMIN_COMMANDS) {
      const { code, stdout, stderr } = await runCli([...command, '--database-url', url.toString()], { cwd });
      assert.equal(code, 1, `${command.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.match(stderr, /no datafiles database at postgres:\/\/.*: the database has no datafiles tables \(looked in schema "public"\)/);
      assert.match(stderr, /--database-url \(or DATAFILES_DATABASE_URL\)/);
      assert.ok(!stderr.includes('not-shown'), stderr);
    }
    const probe = new pg.Client({ connectionString: url.toString().replace(':not-shown', '') });
    await probe.connect();
    try {
      const { rows } = await probe.query(`select count(*)::int as tables from information_schema.tables where table_schema = 'public'`);
      assert.equal(rows[0].tables, 0);
    } finally {
      await probe.end();
    }
    assert.deepEqual(await readdir(cwd), []);
  });
});
