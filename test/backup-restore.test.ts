// `datafiles backup DEST` beside a running server under concurrent uploads, then `datafiles
// restore SRC --data DIR` (issue 16, item 2): `verify` on the restored copy is clean, and every
// file acknowledged before the backup started is there, byte for byte, served by a server started
// on it. With PostgreSQL + S3 both commands refuse, naming the tools to use instead.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testBackend } from './support/backend.js';
import { API, api, CLI, fileForm, startTestServer, type TestServer, type TestUser } from './support/server.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function datafiles(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let server: TestServer;
let alice: TestUser;
let scratch: string;

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  scratch = await mkdtemp(path.join(os.tmpdir(), 'datafiles-backup-'));
});
after(async () => {
  await server?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function upload(bytes: Buffer): Promise<number> {
  const response = await api(server, alice.token, `${API}?name=f.bin`, { method: 'POST', body: fileForm(bytes, 'f.bin') });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()).dataFileId;
}

describe('datafiles backup and restore', () => {
  if (testBackend() === 'scale-out') {
    it('refuses with PostgreSQL + S3, naming pg_dump and bucket versioning', async () => {
      for (const args of [
        ['backup', path.join(scratch, 'b')],
        ['restore', path.join(scratch, 'b'), '--data', path.join(scratch, 'r')],
      ]) {
        const result = await datafiles([...args, ...server.backend.args], server.backend.env);
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /pg_dump/);
        assert.match(result.stderr, /versioning/);
      }
    });
    return;
  }

  it('backs up while uploads go on; the restored copy verifies clean and holds every file acknowledged before, byte for byte', async () => {
    const acknowledged = new Map<number, { bytes: Buffer; at: number }>();
    for (let index = 0; index < 20; index += 1) {
      const bytes = randomBytes(1 + ((index * 7919) % 200_000));
      acknowledged.set(await upload(bytes), { bytes, at: Date.now() });
    }
    // Uploads keep coming, from four clients, until the backup is done.
    let backupDone = false;
    const writers = Array.from({ length: 4 }, async () => {
      while (!backupDone) {
        const bytes = randomBytes(1 + Math.floor(Math.random() * 100_000));
        acknowledged.set(await upload(bytes), { bytes, at: Date.now() });
      }
    });
    // Wait until the writers are under way (a condition, not a sleep).
    const deadline = Date.now() + 30_000;
    while (acknowledged.size < 30 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    const backupStarted = Date.now();
    const destination = path.join(scratch, 'backup');
    const backup = await datafiles(['backup', destination, '--data', server.dataDir]);
    backupDone = true;
    await Promise.all(writers);
    assert.equal(backup.code, 0, backup.stderr);
    const summary = JSON.parse(backup.stdout);
    assert.ok(summary.blobs >= 30, `blobs ${summary.blobs}`);
    assert.deepEqual(summary.droppedRevisions, []);
    assert.ok((await readdir(destination)).includes('backup.json'));

    const restoredDir = path.join(scratch, 'restored');
    const restore = await datafiles(['restore', destination, '--data', restoredDir]);
    assert.equal(restore.code, 0, restore.stderr);
    const again = await datafiles(['restore', destination, '--data', restoredDir]);
    assert.equal(again.code, 1, 'never restores over an existing data directory');
    assert.match(again.stderr, /not empty/);

    const verify = await datafiles(['verify', '--data', restoredDir, '--grace-seconds', '0']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.equal(JSON.parse(verify.stdout).ok, true);

    const restored = await startTestServer({ dataDir: restoredDir, adminToken: server.adminToken });
    try {
      let checked = 0;
      for (const [fileId, { bytes, at }] of acknowledged) {
        if (at >= backupStarted) continue;
        const response = await api(restored, alice.token, `${API}/${fileId}`);
        assert.equal(response.status, 200, `file ${fileId}`);
        assert.ok(Buffer.from(await response.arrayBuffer()).equals(bytes), `file ${fileId} byte for byte`);
        checked += 1;
      }
      assert.ok(checked >= 20, `checked ${checked}`);
    } finally {
      await restored.cleanup();
    }
  });

  it('refuses a destination that is not empty, and a source that is not a complete backup', async () => {
    const busy = await datafiles(['backup', server.dataDir, '--data', server.dataDir]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /not empty/);
    const notBackup = await datafiles(['restore', scratch + '-nothing', '--data', path.join(scratch, 'r2')]);
    assert.equal(notBackup.code, 1);
    assert.match(notBackup.stderr, /not a complete datafiles backup/);
  });
});
