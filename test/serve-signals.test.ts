// SIGTERM at the moment `datafiles serve` says it is listening drains and exits 0 (the signal
// handlers are installed before the announcement; before, a signal in that gap killed the process
// with no drain and no exit code).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI } from './support/server.js';

async function termOnAnnouncement(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'datafiles-signals-'));
  try {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data', dataDir, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('datafiles: listening on')) child.kill('SIGTERM');
    });
    return await new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('serve and signals', () => {
  it('drains and exits 0 when SIGTERM arrives as "listening on" is printed', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      assert.deepEqual(await termOnAnnouncement(), { code: 0, signal: null }, `attempt ${attempt + 1}`);
    }
  });
});
