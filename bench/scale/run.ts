// npm run bench:scale: how each cost grows with the instance (issue 17 items 1–3). Generates an
// instance of 10,000 files and one of 1,000,000 (bench/scale/generate.ts) on SQLite and on
// PostgreSQL, starts `datafiles serve` on each, and measures p50/p99 of the hot operations, the
// start-up time, the sweeps' cost and the peak RSS of a list of 100,000 files, then prints one
// table: 10k beside 1M, with p99(1M) / p99(10k) (the goal: ≤ 2).
//
//   npm run bench:scale [-- --files 10000,1000000] [--backends sqlite,postgres] [--json FILE]
//
// PostgreSQL: BENCH_POSTGRES_URL (default DATAFILES_TEST_POSTGRES_URL's server, else
// postgres://postgres@127.0.0.1:5432/postgres); each instance gets a database of its own, dropped
// at the end. The project is built first (the server runs from dist/ as users run it).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAverage, runOk } from '../support/measure.js';
import { createInstance, type Backend, type Instance } from './instance.js';
import { measureOverHttp, measureSweeps, type Samples } from './operations.js';
import { drain, startScaleServer } from './server.js';

const MiB = 1024 * 1024;

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000,1000000' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    json: { type: 'string' },
  },
});
const sizes = values.files.split(',').map(Number);
const backends = values.backends.split(',') as Backend[];
const log = (line: string) => console.log(line);

interface Result {
  backend: Backend;
  files: number;
  revisions: number;
  generateSeconds: number;
  samples: Samples;
  memory: { listFiles: number; listBytes: number; baselineMiB: number; peakMiB: number; oneBatchPeakMiB: number; oneBatchBaselineMiB: number };
}

/** The list of the service account (user 2, owning every tenth file): 100,000 files at 1M. */
async function listMemory(
  instance: Instance,
  extraArgs: string[],
): Promise<{ files: number; bytes: number; baselineMiB: number; peakMiB: number; startSeconds: number }> {
  const server = await startScaleServer(instance, extraArgs);
  try {
    const baseline = await server.memory();
    const listed = await drain(server, instance.tokens.service, '/details?limitToOwned=false');
    const after = await server.memory();
    return {
      files: listed.files,
      bytes: listed.bytes,
      baselineMiB: baseline.rssBytes / MiB,
      peakMiB: after.peakRssBytes / MiB,
      startSeconds: server.startSeconds,
    };
  } finally {
    await server.stop();
  }
}

async function measureInstance(backend: Backend, files: number, scratch: string): Promise<Result> {
  log(`  ${backend}, ${files.toLocaleString('en-US')} files: generating…`);
  const instance = await createInstance({ backend, files, scratch });
  try {
    log(`    generated in ${instance.generateSeconds.toFixed(1)} s`);
    const server = await startScaleServer(instance);
    let samples: Samples;
    const startSeconds = [server.startSeconds];
    try {
      samples = await measureOverHttp(instance, server, log);
      Object.assign(samples, await measureSweeps(instance));
    } finally {
      await server.stop();
    }
    // A fresh server for each memory figure (VmHWM is the process's high-water mark): the default
    // batches, then one batch as large as the list (what answering it whole costs).
    const streamed = await listMemory(instance, []);
    const whole = await listMemory(instance, ['--list-batch-rows', '100000']);
    startSeconds.push(streamed.startSeconds, whole.startSeconds);
    samples.startUp = startSeconds;
    log(
      `    list of ${streamed.files} files (${(streamed.bytes / MiB).toFixed(1)} MiB): peak RSS ${streamed.peakMiB.toFixed(0)} MiB streamed, ${whole.peakMiB.toFixed(0)} MiB in one batch`,
    );
    return {
      backend,
      files,
      revisions: Math.round(files * 3),
      generateSeconds: instance.generateSeconds,
      samples,
      memory: {
        listFiles: streamed.files,
        listBytes: streamed.bytes,
        baselineMiB: streamed.baselineMiB,
        peakMiB: streamed.peakMiB,
        oneBatchBaselineMiB: whole.baselineMiB,
        oneBatchPeakMiB: whole.peakMiB,
      },
    };
  } finally {
    await instance.release();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const ROWS: [string, string][] = [
  ['details', 'GET details by id'],
  ['accessCheck', "permission check (a user's GET of any file: 200/403)"],
  ['listFirstPage', 'list, limitToOwned=false, first page of 100'],
  ['listPage', 'list, each full page of 100 to the end (after=)'],
  ['listWalk', 'list, the whole walk to the end'],
  ['uploadCommit', 'upload (16 bytes), to its commit'],
  ['sessionCommit', 'multipart session commit (1 part)'],
  ['revisionDelete', 'revision delete'],
  ['startUp', 'start-up (spawn to listening)'],
  ['sessionSweep', 'session sweep, one pass'],
  ['orphanCheck', 'orphan sweep, one check of 500 blobs'],
];

function table(results: Result[]): string {
  const ms = (value: number) => (value * 1000 < 10 ? (value * 1000).toFixed(2) : (value * 1000).toFixed(1));
  const lines: string[] = [];
  const head = ['operation (ms, p50 / p99)'];
  for (const backend of backends) {
    for (const files of sizes) head.push(`${backend} ${files >= 1e6 ? `${files / 1e6}M` : `${files / 1e3}k`}`);
    if (sizes.length === 2) head.push(`${backend} p99 ratio`);
  }
  lines.push(`| ${head.join(' | ')} |`, `|${head.map((_, index) => (index === 0 ? '---' : '---:')).join('|')}|`);
  const find = (backend: Backend, files: number) => results.find((result) => result.backend === backend && result.files === files);
  for (const [key, label] of ROWS) {
    const cells = [label];
    for (const backend of backends) {
      const p99s: number[] = [];
      for (const files of sizes) {
        const values = find(backend, files)?.samples[key] ?? [];
        cells.push(values.length === 0 ? '–' : `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`);
        p99s.push(values.length === 0 ? NaN : percentile(values, 99));
      }
      if (sizes.length === 2) cells.push(`${(p99s[1] / p99s[0]).toFixed(2)}×`);
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const memory = [`list of the 10%-owner (peak RSS, MiB: streamed / one batch)`];
  const generated = ['generating the instance (s)'];
  for (const backend of backends) {
    for (const files of sizes) {
      const result = find(backend, files);
      memory.push(
        result
          ? `${result.memory.listFiles.toLocaleString('en-US')} files: ${result.memory.peakMiB.toFixed(0)} / ${result.memory.oneBatchPeakMiB.toFixed(0)}`
          : '–',
      );
      generated.push(result ? result.generateSeconds.toFixed(1) : '–');
    }
    if (sizes.length === 2) {
      memory.push('');
      generated.push('');
    }
  }
  lines.push(`| ${memory.join(' | ')} |`, `| ${generated.join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  log('building…');
  await runOk('npm', ['run', '--silent', 'build']);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'datafiles-bench-scale-'));
  const loadBefore = await loadAverage();
  const started = Date.now();
  const results: Result[] = [];
  try {
    for (const backend of backends) {
      for (const files of sizes) results.push(await measureInstance(backend, files, scratch));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const loadAfter = await loadAverage();
  log('');
  log(table(results));
  log('');
  log(
    `${new Date().toISOString()}, ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}; ` +
      `load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
  );
  if (values.json) await writeFile(values.json, JSON.stringify({ loadBefore, loadAfter, results }, null, 2));
}

await main();
