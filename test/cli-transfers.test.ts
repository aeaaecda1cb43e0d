// Issue #4, "CLI": the `datafiles` client commands run as a subprocess against the real server:
// upload, ls, info, download (bytes compared), share, unshare, public, rm; the progress bar under a
// pseudo-terminal (`script`), and none with --json; errors print the server's message and exit
// non-zero; --help on every command.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@datafiles/sdk';
import { CLI, startTestServer, type TestServer, type TestUser } from './support/server.js';

const MIB = 1024 * 1024;

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let directory: string;
let smallPath: string;
let smallBytes: Buffer;
let largePath: string;
let largeBytes: Buffer;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { token?: string | null; env?: Record<string, string> } = {}): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, DATAFILES_URL: server.url, ...options.env };
  if (options.token === null) delete env.DATAFILES_TOKEN;
  else env.DATAFILES_TOKEN = options.token ?? alice.token;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: directory, env, encoding: 'buffer', maxBuffer: 64 * MIB }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: stdout.toString('latin1'), stderr: stderr.toString() });
    });
  });
}

/** The single JSON line a command prints in machine mode. */
function jsonOf(result: Run): any {
  assert.equal(result.code, 0, `exit 0; stderr: ${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON line, got: ${result.stdout}`);
  return JSON.parse(lines[0]);
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI under a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
function runInTerminal(args: string[]): Promise<{ code: number; output: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-q', '-e', '-c', command, '/dev/null'],
      { cwd: directory, env: { ...process.env, DATAFILES_URL: server.url, DATAFILES_TOKEN: alice.token, COLUMNS: '100' }, maxBuffer: 64 * MIB },
      (error, stdout) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout }),
    );
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').toUpperCase();

before(async () => {
  server = await startTestServer();
  alice = await server.addUser('alice');
  bob = await server.addUser('bob');
  directory = await mkdtemp(path.join(os.tmpdir(), 'datafiles-cli-'));
  smallBytes = Buffer.from('name,amount\nwidgets,12\n');
  smallPath = path.join(directory, 'small.csv');
  await writeFile(smallPath, smallBytes);
  largeBytes = randomBytes(12 * MIB + 321);
  largePath = path.join(directory, 'large.bin');
  await writeFile(largePath, largeBytes);
});
after(async () => {
  await server?.cleanup();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('upload, ls, info, download, rm', () => {
  let small: { dataFileId: number; revisionId: number };
  let large: { dataFileId: number; revisionId: number };

  it('uploads a small file in one request; the output (not a terminal) is one JSON line', async () => {
    small = jsonOf(await run(['upload', smallPath, '--description', 'sales']));
    assert.equal((small as any).method, 'single');
    assert.equal((small as any).name, 'small.csv');
    assert.equal((small as any).sizeBytes, smallBytes.length);
  });

  it('uploads a large file in parts (--part-size, --concurrency)', async () => {
    large = jsonOf(await run(['upload', largePath, '--name', 'Large data', '--part-size', '5MiB', '--concurrency', '2']));
    assert.equal((large as any).method, 'multipart');
    assert.equal((large as any).partsTotal, 3);
  });

  it('ls lists both (and --owned), as one JSON array', async () => {
    const files = jsonOf(await run(['ls']));
    assert.deepEqual(
      files.map((file: any) => [file.dataFileId, file.name]),
      [
        [small.dataFileId, 'small.csv'],
        [large.dataFileId, 'Large data'],
      ],
    );
    assert.deepEqual(jsonOf(await run(['ls', '--owned'], { token: bob.token })), []);
  });

  it('info shows details, revisions and permissions', async () => {
    const info = jsonOf(await run(['info', String(large.dataFileId)]));
    assert.equal(info.name, 'Large data');
    assert.equal(info.currentRevision.sha256HashValue, sha256(largeBytes));
    assert.equal(info.currentRevision.sizeBytes, largeBytes.length);
    assert.equal(info.revisions.length, 1);
    assert.equal(info.permissions.entries[0].grant, 'READ_WRITE_DELETE_SHARE_ADMIN');
    assert.equal(jsonOf(await run(['info', String(small.dataFileId)])).description, 'sales');
  });

  it('download -o saves the bytes (compared), checked against the SHA-256', async () => {
    const target = path.join(directory, 'copy.bin');
    const result = jsonOf(await run(['download', String(large.dataFileId), '-o', target]));
    assert.equal(result.sha256, sha256(largeBytes));
    assert.deepEqual(await readFile(target), largeBytes);
  });

  it("download without -o saves under the file's name, and will not overwrite without --force", async () => {
    await rm(smallPath);
    const saved = jsonOf(await run(['download', String(small.dataFileId)]));
    assert.equal(saved.path, 'small.csv');
    assert.deepEqual(await readFile(smallPath), smallBytes);
    const refused = await run(['download', String(small.dataFileId)]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /exists; pass --force/);
    jsonOf(await run(['download', String(small.dataFileId), '--force']));
  });

  it('download -o - writes the bytes to stdout', async () => {
    const result = await run(['download', String(small.dataFileId), '-o', '-']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, smallBytes.toString('latin1'));
  });

  it('upload --to adds a revision; download --revision fetches an older one; rm --revision deletes it', async () => {
    const revisionBytes = randomBytes(6 * MIB);
    const revisionPath = path.join(directory, 'revision.bin');
    await writeFile(revisionPath, revisionBytes);
    const revision = jsonOf(await run(['upload', revisionPath, '--to', String(large.dataFileId), '--part-size', '5MiB']));
    assert.equal(revision.dataFileId, large.dataFileId);
    assert.equal(revision.method, 'multipart');
    const info = jsonOf(await run(['info', String(large.dataFileId)]));
    assert.equal(info.name, 'Large data', 'a revision keeps the name');
    assert.equal(info.currentRevision.dataFileRevisionId, revision.revisionId);
    const older = path.join(directory, 'older.bin');
    jsonOf(await run(['download', String(large.dataFileId), '--revision', String(large.revisionId), '-o', older]));
    assert.deepEqual(await readFile(older), largeBytes);
    assert.deepEqual(jsonOf(await run(['rm', String(large.dataFileId), '--revision', String(revision.revisionId)])), {
      dataFileId: large.dataFileId,
      revisionId: revision.revisionId,
      deleted: true,
    });
    assert.equal(jsonOf(await run(['info', String(large.dataFileId)])).currentRevision.dataFileRevisionId, large.revisionId);
  });

  it('upload --resume finishes a session, sending only the parts it lacks', async () => {
    const client = createClient({ baseUrl: server.url, token: alice.token });
    const { sessionId } = await client.createSession({ name: 'resumed.bin', contentType: 'application/octet-stream' });
    await client.uploadPart(sessionId, 2, largeBytes.subarray(5 * MIB, 10 * MIB));
    const result = jsonOf(await run(['upload', largePath, '--resume', sessionId, '--part-size', '5MiB']));
    assert.equal(result.partsReused, 1);
    assert.equal(result.partsUploaded, 2);
    assert.equal(jsonOf(await run(['info', String(result.dataFileId)])).currentRevision.sha256HashValue, sha256(largeBytes));
  });

  it("rm deletes the file; then info prints the server's message and exits 1", async () => {
    assert.deepEqual(jsonOf(await run(['rm', String(small.dataFileId)])), { dataFileId: small.dataFileId, revisionId: null, deleted: true });
    const gone = await run(['info', String(small.dataFileId)]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stdout, '');
    assert.match(gone.stderr, /^datafiles: No file with that id\. \(404 Not Found, request \S+\)\n$/);
  });
});

describe('share, unshare, public', () => {
  let dataFileId: number;
  before(async () => {
    const file = path.join(directory, 'shared.txt');
    await writeFile(file, 'for bob');
    dataFileId = jsonOf(await run(['upload', file])).dataFileId;
  });

  it('share --user gives bob a grant; he can then download; unshare takes it back', async () => {
    assert.equal((await run(['info', String(dataFileId)], { token: bob.token })).code, 1);
    const shared = jsonOf(await run(['share', String(dataFileId), '--user', String(bob.id), '--grant', 'read']));
    assert.deepEqual(
      shared.entries.map((entry: any) => [entry.entityId, entry.grant]),
      [
        [String(alice.id), 'READ_WRITE_DELETE_SHARE_ADMIN'],
        [String(bob.id), 'READ'],
      ],
    );
    const downloaded = await run(['download', String(dataFileId), '-o', '-'], { token: bob.token });
    assert.equal(downloaded.stdout, 'for bob');
    const forbidden = await run(['rm', String(dataFileId)], { token: bob.token });
    assert.equal(forbidden.code, 1);
    assert.match(forbidden.stderr, /403 Forbidden/);
    jsonOf(await run(['share', String(dataFileId), '--user', String(bob.id), '--grant', 'READ_WRITE_DELETE']));
    const unshared = jsonOf(await run(['unshare', String(dataFileId), '--user', String(bob.id)]));
    assert.deepEqual(
      unshared.entries.map((entry: any) => entry.entityId),
      [String(alice.id)],
    );
    assert.equal((await run(['info', String(dataFileId)], { token: bob.token })).code, 1);
  });

  it('share --group works for groups', async () => {
    const group = await server.addGroup('readers');
    await server.addGroupMember(group.id, bob.id);
    jsonOf(await run(['share', String(dataFileId), '--group', String(group.id), '--grant', 'READ']));
    assert.equal(jsonOf(await run(['info', String(dataFileId)], { token: bob.token })).dataFileId, dataFileId);
    jsonOf(await run(['unshare', String(dataFileId), '--group', String(group.id)]));
  });

  it('public on lets every user read; off stops it', async () => {
    assert.deepEqual(jsonOf(await run(['public', String(dataFileId), 'on'])), { dataFileId, publicAccess: true });
    assert.ok(jsonOf(await run(['ls'], { token: bob.token })).some((file: any) => file.dataFileId === dataFileId));
    jsonOf(await run(['public', String(dataFileId), 'off']));
    assert.ok(!jsonOf(await run(['ls'], { token: bob.token })).some((file: any) => file.dataFileId === dataFileId));
  });

  it('usage mistakes exit 2 with the reason', async () => {
    for (const args of [
      ['share', String(dataFileId), '--grant', 'READ'],
      ['share', String(dataFileId), '--user', String(bob.id), '--grant', 'ALL'],
      ['public', String(dataFileId), 'maybe'],
      ['upload', path.join(directory, 'missing.bin')],
      ['upload', smallPath, '--part-size', '1MiB'],
      ['info', 'abc'],
      ['ls', '--bogus'],
    ]) {
      const result = await run(args);
      assert.equal(result.code, args.includes('1MiB') ? 1 : 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^datafiles: /);
    }
  });
});

describe('progress and output modes', () => {
  it('shows a live progress bar (bytes, rate, ETA) on a terminal, then a sentence', async () => {
    const upload = await runInTerminal(['upload', largePath, '--name', 'with progress', '--part-size', '5MiB', '--concurrency', '1']);
    assert.equal(upload.code, 0, upload.output);
    assert.match(upload.output, /upload .*█.* \d+% [\d.]+ (?:MiB|KiB|B)\/12\.0 MiB .*\/s ETA/);
    assert.match(upload.output, /100% 12\.0 MiB\/12\.0 MiB/);
    const uploaded = /Uploaded .* as file (\d+), revision (\d+)/.exec(upload.output);
    assert.ok(uploaded, upload.output);

    const target = path.join(directory, 'from-terminal.bin');
    const download = await runInTerminal(['download', uploaded[1], '-o', target]);
    assert.equal(download.code, 0, download.output);
    assert.match(download.output, /download .*100% 12\.0 MiB\/12\.0 MiB/);
    assert.match(download.output, /Downloaded file \d+ to .*SHA-256 checked/);
    assert.deepEqual(await readFile(target), largeBytes);

    const listing = await runInTerminal(['ls']);
    assert.match(listing.output, /ID\s+SIZE\s+TYPE\s+UPLOADED\s+REVISION\s+NAME/);
  });

  it('--json on a terminal: no progress bar, only the JSON line', async () => {
    const upload = await runInTerminal(['upload', largePath, '--json', '--part-size', '5MiB']);
    assert.equal(upload.code, 0, upload.output);
    assert.doesNotMatch(upload.output, /█|ETA|%/);
    const result = JSON.parse(upload.output.trim());
    assert.equal(result.sizeBytes, largeBytes.length);
    const download = await runInTerminal(['download', String(result.dataFileId), '--json', '-o', path.join(directory, 'json.bin')]);
    assert.doesNotMatch(download.output, /█|ETA/);
    assert.equal(JSON.parse(download.output.trim()).sha256, sha256(largeBytes));
  });
});

describe('connection and help', () => {
  it('--help on every command', async () => {
    for (const command of ['upload', 'download', 'ls', 'info', 'rm', 'share', 'unshare', 'public']) {
      const result = await run([command, '--help'], { token: null });
      assert.equal(result.code, 0, command);
      assert.match(result.stdout, new RegExp(`^Usage: datafiles ${command}`), command);
      assert.match(result.stdout, /--url URL/);
      assert.match(result.stdout, /--token TOKEN/);
    }
    const top = await run(['--help']);
    for (const command of ['upload', 'download', 'ls', 'info', 'rm', 'share', 'unshare', 'public']) assert.match(top.stdout, new RegExp(`^  ${command} `, 'm'));
  });

  it('--url and --token win over DATAFILES_URL and DATAFILES_TOKEN', async () => {
    const viaOptions = await run(['ls', '--url', server.url, '--token', alice.token], {
      token: 'wrong-token-wrong-token-wrong',
      env: { DATAFILES_URL: 'http://127.0.0.1:1' },
    });
    assert.equal(viaOptions.code, 0, viaOptions.stderr);
  });

  it('no token is a usage error; a bad token prints the 401; no server says so', async () => {
    const none = await run(['ls'], { token: null });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no token/);
    const bad = await run(['ls'], { token: 'wrong-token-wrong-token-wrong' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /401 Unauthorized/);
    const nowhere = await run(['ls'], { env: { DATAFILES_URL: 'http://127.0.0.1:1' } });
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /is the server at http:\/\/127\.0\.0\.1:1 running\?/);
  });
});
