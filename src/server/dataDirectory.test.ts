// The data directory's lock and modes (docs/decisions.md 45, 46), below the CLI: the lock is
// refused while held (in this process or another), names its holder, and is free again once the
// holder releases it or dies; the directory is created or tightened to 0700.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { lockDataDirectory, prepareDataDirectory } from './dataDirectory.js';
import { DataDirectoryError } from './dataDirectoryError.js';

const moduleUrl = new URL('./dataDirectory.ts', import.meta.url).href;

describe('the data directory', () => {
  let parent: string;
  let dataDir: string;
  beforeEach(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'datafiles-lock-'));
    dataDir = path.join(parent, 'data');
    prepareDataDirectory(dataDir);
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  const refusal = (holderPid: number) => (error: unknown) => {
    assert.ok(error instanceof DataDirectoryError, String(error));
    assert.ok(error.message.includes(`the data directory ${dataDir} is in use by another datafiles server (pid ${holderPid} `), error.message);
    return true;
  };

  it('is refused while this process holds it, naming this pid, and free again once released', () => {
    const held = lockDataDirectory(dataDir);
    assert.throws(() => lockDataDirectory(dataDir), refusal(process.pid));
    held.release();
    lockDataDirectory(dataDir).release();
  });

  it('is refused while another process holds it, and taken over once that process is killed', async () => {
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { lockDataDirectory } = await import(${JSON.stringify(moduleUrl)}); lockDataDirectory(process.argv[1]); console.log('locked'); setInterval(() => {}, 1000);`,
        dataDir,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
        holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
      });
      assert.throws(() => lockDataDirectory(dataDir), refusal(holder.pid!));
    } finally {
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGKILL');
      await exited;
    }
    lockDataDirectory(dataDir).release();
  });

  it('is created 0700 whatever the umask, and an existing one open to others is tightened', async () => {
    const previous = process.umask(0);
    try {
      const fresh = path.join(parent, 'fresh', 'data');
      assert.deepEqual(prepareDataDirectory(fresh), { tightened: false });
      assert.equal((await stat(fresh)).mode & 0o777, 0o700);
      await chmod(fresh, 0o755);
      assert.deepEqual(prepareDataDirectory(fresh), { tightened: true });
      assert.equal((await stat(fresh)).mode & 0o777, 0o700);
    } finally {
      process.umask(previous);
    }
  });
});
