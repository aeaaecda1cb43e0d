// Issue 15's upload figure: a file uploaded from the web interface (the upload panel in Debian's
// chromium, through @datafiles/sdk's uploadLargeFile) against the same file uploaded by the CLI
// (`datafiles upload`, the same SDK in Node), to the same server, in the same run. The target is
// browser ≥ 0.7 × CLI. Standalone, not part of `npm run bench`:
//
//   node --import tsx bench/ui/upload.ts [--size MiB] [--runs N] [--no-build]
//
// Each round uploads the file once each way (the order alternating between rounds, so that neither
// always meets a warmer disk), from the page cache, and deletes it again; the figures are medians.
// Both rates include everything the user waits for: the CLI's start-up, the browser's reading and
// hashing of each part. On a machine shared with other work the figures are noisy: the ratio,
// taken in the same rounds, is the meaningful one.
import { open } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bigFileDir } from '../../test/support/bigFile.js';
import { launchBrowser } from '../../test/support/browser.js';
import { signedInPage } from '../../test/support/ui.js';
import { startDatafiles } from '../support/datafilesServer.js';
import { median, MiB, now, runOk, seconds } from '../support/measure.js';
import { REPO_DIR } from '../support/peers.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    'no-build': { type: 'boolean', default: false },
  },
});
const size = Number(args.size) * MiB;
const runs = Number(args.runs);
const log = (line: string) => process.stdout.write(`${line}\n`);
const API = '/domo/data-files/v1';

/** Reads the file once so that both uploads read it from the page cache. */
async function warm(file: string): Promise<void> {
  const handle = await open(file, 'r');
  const buffer = Buffer.allocUnsafe(16 * MiB);
  try {
    while ((await handle.read(buffer, 0, buffer.length)).bytesRead > 0);
  } finally {
    await handle.close();
  }
}

if (!args['no-build']) await runOk('npm', ['run', 'build'], { cwd: REPO_DIR });
const scratch = await mkdtemp(path.join(os.tmpdir(), 'datafiles-bench-ui-'));
const disk = await bigFileDir('datafiles-bench-ui-source-');
const server = await startDatafiles({ root: REPO_DIR, scratch, backend: { args: [], env: {}, release: async () => {} }, logLevel: 'warn' });
const browser = await launchBrowser();
try {
  const { token } = await server.addUser('bench');
  log(`writing a ${args.size} MiB source file…`);
  const source = await disk.make('source.bin', size);
  const remove = async (id: number) => {
    const response = await fetch(`${server.url}${API}/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`delete ${id}: ${response.status}`);
  };

  const viaCli = async (): Promise<number> => {
    const started = now();
    const { stdout } = await runOk(process.execPath, [path.join(REPO_DIR, 'bin/datafiles.js'), 'upload', source.path, '--json'], {
      env: { ...process.env, DATAFILES_URL: server.url, DATAFILES_TOKEN: token },
    });
    const elapsed = seconds(started);
    await remove(JSON.parse(stdout.trim().split('\n').pop()!).dataFileId);
    return elapsed;
  };

  const viaBrowser = async (): Promise<number> => {
    const ui = await signedInPage(browser, server.url, token);
    try {
      ui.page.setDefaultTimeout(30 * 60_000);
      await ui.page.getByRole('button', { name: /^Upload/ }).click();
      const input = ui.page.locator('input[name="upload-files"]');
      await input.waitFor({ state: 'attached' });
      const started = now();
      await input.setInputFiles(source.path);
      const item = ui.page.locator('li.upload-item', { hasText: 'source.bin' });
      await item.locator('.upload-state', { hasText: /Uploaded|Failed/ }).waitFor();
      const elapsed = seconds(started);
      const href = await item.getByRole('link').getAttribute('href');
      if (!href) throw new Error(`the browser's upload failed: ${await item.innerText()}`);
      await remove(Number(/(\d+)$/.exec(href)![1]));
      if (ui.errors.length > 0) throw new Error(`console errors: ${ui.errors.join('; ')}`);
      return elapsed;
    } finally {
      await ui.close();
    }
  };

  const cli: number[] = [];
  const web: number[] = [];
  for (let round = 1; round <= runs; round++) {
    log(`round ${round} of ${runs} (load ${os.loadavg()[0].toFixed(2)})`);
    const order = round % 2 === 1 ? (['cli', 'browser'] as const) : (['browser', 'cli'] as const);
    for (const way of order) {
      await warm(source.path);
      await runOk('sync', []);
      const elapsed = way === 'cli' ? await viaCli() : await viaBrowser();
      (way === 'cli' ? cli : web).push(size / MiB / elapsed);
      log(`  ${way.padEnd(8)} ${(size / MiB / elapsed).toFixed(1).padStart(7)} MiB/s (${elapsed.toFixed(2)} s)`);
    }
  }
  const cliRate = median(cli);
  const webRate = median(web);
  log(`\n${args.size} MiB upload, median of ${runs} rounds (load ${os.loadavg()[0].toFixed(2)}):`);
  log(`  CLI (datafiles upload)        ${cliRate.toFixed(1).padStart(7)} MiB/s`);
  log(`  browser (web interface)       ${webRate.toFixed(1).padStart(7)} MiB/s`);
  log(`  browser / CLI                 ${(webRate / cliRate).toFixed(2).padStart(7)}   (target ≥ 0.70: ${webRate / cliRate >= 0.7 ? 'met' : 'NOT met'})`);
} finally {
  await browser.close();
  await server.stop();
  await disk.remove();
  await rm(scratch, { recursive: true, force: true });
}
