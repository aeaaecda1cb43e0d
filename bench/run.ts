// `npm run bench`: measures datafiles against the machine's own limits and against what users
// would run instead, all in one run, and reports medians and the ratios the issue sets targets on.
//
//   npm run bench [-- --scale-out] [--only NAME[,NAME…]] [--runs N] [--size MiB] [--seconds N]
//                    [--connections N] [--log-level LEVEL] [--no-build] [--no-docs]
//                    [--compare GIT-REF] [--wait-quiet MINUTES]
//
// --compare runs the datafiles measurements a second time, in the same rounds, on the server as
// it was at GIT-REF (exported and built in a scratch directory): before/after figures taken under
// the same conditions, whatever else the machine is doing.
// Each round takes one sample of every measurement (rounds interleave everything, so a burst of
// load from other work on the machine touches every figure alike); every figure is the median of
// the rounds (3 unless --runs says more). Results go to bench/results.json; a full run (every
// measurement, 1 GiB, at least 3 rounds) also redraws bench/throughput.png and the table in
// BENCHMARKS.md.
import { createHash, randomFillSync } from 'node:crypto';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeChart, type Bar } from './chart.js';
import { datafilesFamily } from './datafiles.js';
import type { BenchContext, Family, Figure, Measurement, Sample } from './support/family.js';
import { diskWriteFsync, hashRate, loopbackTcp } from './limits.js';
import { GiB, MiB, median, runOk } from './support/measure.js';
import { BENCH_DIR, ensureNpmPeers, REPO_DIR } from './support/peers.js';
import { mixedOpsFamily } from './mixedOps.js';
import { assertObjectStoreRoom, gib, projectCephRoom, type ObjectStoreRoom } from './support/objectStore.js';
import { peerFamily } from './peers.js';
import { comparisonTable, formatValue, markdownTables, targets } from './support/report.js';

const { values: args } = parseArgs({
  options: {
    'scale-out': { type: 'boolean', default: false },
    only: { type: 'string' },
    runs: { type: 'string', default: '3' },
    size: { type: 'string', default: '1024' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'log-level': { type: 'string', default: 'info' },
    'no-build': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    compare: { type: 'string' },
    'wait-quiet': { type: 'string', default: '0' },
  },
});

const runs = Number(args.runs);
const size = Number(args.size) * MiB;
const onlyPatterns = args.only
  ?.split(',')
  .map((text) => text.trim())
  .filter(Boolean);
/** `--only datafiles.upload,limits` keeps measurements whose id starts with one of the names. */
const selected = (id: string) => !onlyPatterns || onlyPatterns.some((pattern) => id === pattern || id.startsWith(`${pattern}.`) || id.startsWith(pattern));
const PEER_IDS = ['nginx.put', 'nginx.get', 'tus.patch', 'naive.upload', 'fastify.hello'];
const DATAFILES_IDS = ['upload', 'multipart', 'download', 'duplicate', 'details', 'list', 'rss'];
const log = (line: string) => process.stdout.write(`${line}\n`);

async function makeSource(file: string): Promise<{ md5: string; sha256: string }> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  const block = Buffer.allocUnsafe(16 * MiB);
  const { open } = await import('node:fs/promises');
  const handle = await open(file, 'w');
  try {
    for (let written = 0; written < size; written += block.length) {
      const piece = block.subarray(0, Math.min(block.length, size - written));
      randomFillSync(piece);
      md5.update(piece);
      sha256.update(piece);
      await handle.write(piece);
    }
  } finally {
    await handle.close();
  }
  return { md5: md5.digest('hex').toUpperCase(), sha256: sha256.digest('hex').toUpperCase() };
}

async function warmFile(file: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  const handle = await open(file, 'r');
  const buffer = Buffer.allocUnsafe(16 * MiB);
  try {
    while ((await handle.read(buffer, 0, buffer.length)).bytesRead > 0);
  } finally {
    await handle.close();
  }
}

/** Waits (up to `minutes`) for the one-minute load average to fall below 1, other people's work permitting. */
async function waitForQuiet(minutes: number): Promise<void> {
  const deadline = Date.now() + minutes * 60_000;
  if (minutes > 0 && os.loadavg()[0] >= 1) log(`waiting up to ${minutes} min for the machine to be quiet (load ${os.loadavg()[0].toFixed(2)})…`);
  while (Date.now() < deadline && os.loadavg()[0] >= 1) await new Promise((resolve) => setTimeout(resolve, 15_000));
}

/** The server as it was at `ref`: exported (git archive) into the scratch directory and built. */
async function exportBaseline(ref: string, scratch: string): Promise<string> {
  const root = path.join(scratch, 'baseline');
  await mkdir(root, { recursive: true });
  log(`exporting and building ${ref} for comparison…`);
  await runOk('sh', ['-c', `git -C "${REPO_DIR}" archive "${ref}" | tar -x -C "${root}"`]);
  await symlink(path.join(REPO_DIR, 'node_modules'), path.join(root, 'node_modules'));
  await runOk(process.execPath, [path.join(REPO_DIR, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root });
  return root;
}

function limitsFamily(context: BenchContext): Family {
  const measurements: Measurement[] = [
    {
      id: 'limits.disk',
      figures: {
        'limits.disk': { label: 'disk write + fsync', unit: 'MiB/s' },
        'limits.disk.cpu': { label: 'disk write + fsync: CPU per GiB (this process, almost all kernel)', unit: 's' },
      },
      sample: async () => {
        const disk = diskWriteFsync(context.scratch, context.size);
        return { 'limits.disk': disk.rate, 'limits.disk.cpu': disk.cpuPerGiB };
      },
    },
    {
      id: 'limits.md5',
      figures: { 'limits.md5': { label: 'MD5, one thread (node:crypto)', unit: 'MiB/s' } },
      sample: async () => ({ 'limits.md5': hashRate('md5', context.size) }),
    },
    {
      id: 'limits.sha256',
      figures: { 'limits.sha256': { label: 'SHA-256, one thread (node:crypto)', unit: 'MiB/s' } },
      sample: async () => ({ 'limits.sha256': hashRate('sha256', context.size) }),
    },
    {
      id: 'limits.tcp',
      figures: { 'limits.tcp': { label: 'loopback TCP, Node to Node', unit: 'MiB/s' } },
      sample: async () => ({ 'limits.tcp': await loopbackTcp(2 * context.size) }),
    },
  ];
  return { name: 'limits', measurements: measurements.filter((measurement) => selected(measurement.id)), notes: {}, teardown: async () => undefined };
}

async function machineDescription(): Promise<string> {
  const cpus = os.cpus();
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const shaNi = /\bsha_ni\b/.test(cpuinfo) ? ', SHA-NI' : '';
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}${shaNi}, ${Math.round(os.totalmem() / GiB)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

async function main(): Promise<void> {
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const started = new Date();
  if (!args['no-build']) {
    log('building (npm run build)…');
    await runOk('npm', ['run', '--silent', 'build'], { cwd: REPO_DIR });
  }
  await ensureNpmPeers(log);
  const scratch = path.join(os.tmpdir(), `datafiles-bench-${process.pid}`);
  await mkdir(scratch, { recursive: true });
  const families: Family[] = [];
  let objectStoreBefore: ObjectStoreRoom | undefined;
  try {
    const s3Transfers = args['scale-out'] && DATAFILES_IDS.some((id) => selected(`datafiles.s3.${id}`));
    const mixed = args['scale-out'] && selected('mixed');
    if (s3Transfers || mixed) {
      // At its peak a round holds the download's file, an upload, a multipart file with its staged
      // parts, 4 concurrent uploads and what RGW has not yet collected of the previous round.
      const needed = (s3Transfers ? 8 * size : 0) + (mixed ? 2 * GiB : 0);
      objectStoreBefore = await assertObjectStoreRoom(
        needed,
        `${s3Transfers ? `8 × the ${size / MiB} MiB transfers` : ''}${s3Transfers && mixed ? ' + ' : ''}${mixed ? '2 GiB for mixed operations' : ''}`,
      );
      if (objectStoreBefore)
        log(
          `object store: the project's Ceph, ${objectStoreBefore.store}, ${gib(objectStoreBefore.usedBytes)} used, ${gib(objectStoreBefore.availableBytes)} free`,
        );
    }
    const sourceFile = path.join(scratch, 'source.bin');
    log(`writing a ${size / MiB} MiB source file…`);
    const expected = await makeSource(sourceFile);
    const context: BenchContext = {
      size,
      sourceFile,
      scratch,
      loadSeconds: Number(args.seconds),
      connections: Number(args.connections),
      log,
      warm: warmFile,
    };
    await waitForQuiet(Number(args['wait-quiet']));
    const loadAtStart = os.loadavg()[0];
    if (loadAtStart > 1.5)
      log(
        `note: the machine is busy (load average ${loadAtStart.toFixed(2)} on ${os.cpus().length} cores): absolute figures will be low; ratios still compare figures taken under the same load`,
      );
    families.push(limitsFamily(context));
    if (PEER_IDS.some(selected)) {
      log('starting peers…');
      const peers = await peerFamily(context);
      peers.measurements = peers.measurements.filter((measurement) => selected(measurement.id));
      families.push(peers);
    }
    const variants: { backend: 'embedded' | 'scale-out'; prefix: string; label: string; root: string; selectAs: (id: string) => string }[] = [
      { backend: 'embedded', prefix: 'datafiles', label: 'SQLite + disk', root: REPO_DIR, selectAs: (id) => id },
    ];
    if (args['scale-out']) variants.push({ backend: 'scale-out', prefix: 'datafiles.s3', label: 'PostgreSQL + S3', root: REPO_DIR, selectAs: (id) => id });
    if (args.compare) {
      const root = await exportBaseline(args.compare, scratch);
      variants.push({
        backend: 'embedded',
        prefix: 'datafiles.before',
        label: `${args.compare}, SQLite + disk`,
        root,
        selectAs: (id) => id.replace(/^datafiles\.before\./, 'datafiles.'),
      });
    }
    for (const variant of variants) {
      if (!DATAFILES_IDS.some((id) => selected(variant.selectAs(`${variant.prefix}.${id}`)))) continue;
      log(`starting datafiles (${variant.label})…`);
      families.push(await datafilesFamily(context, { ...variant, expected, logLevel: args['log-level']!, only: (id) => selected(variant.selectAs(id)) }));
    }
    if (args['scale-out'] && selected('mixed')) {
      log('starting the mixed small-operations deployments…');
      families.push(await mixedOpsFamily(context, args['log-level']!));
    }

    const figures = new Map<string, Figure>();
    const samples = new Map<string, number[]>();
    const loads: number[] = [];
    for (let round = 1; round <= runs; round++) {
      log(`round ${round} of ${runs} (load ${os.loadavg()[0].toFixed(2)})`);
      loads.push(os.loadavg()[0]);
      for (const family of families) {
        for (const measurement of family.measurements) {
          // Uploads read the source file: from the page cache, as every peer's did. And what the
          // previous measurement left dirty is written out first, so that no measurement pays
          // for its predecessor's writeback.
          await context.warm(sourceFile);
          await runOk('sync', []);
          const sample: Sample = await measurement.sample();
          for (const [id, value] of Object.entries(sample)) {
            figures.set(id, measurement.figures[id]);
            samples.set(id, [...(samples.get(id) ?? []), value]);
            log(
              `  ${measurement.figures[id].label.padEnd(78)} ${formatValue(value, measurement.figures[id].unit).padStart(9)} ${measurement.figures[id].unit}`,
            );
          }
        }
      }
    }
    const medians = Object.fromEntries([...samples].map(([id, values]) => [id, median(values)]));
    const goals = targets(medians, args['scale-out']!);
    let tables = markdownTables(figures, samples, medians, goals);
    if (args.compare) tables += `\n\n${comparisonTable(figures, medians, args.compare)}`;
    const notes = Object.assign({}, ...families.map((family) => family.notes)) as Record<string, string>;
    const machine = await machineDescription();
    log('');
    log(tables);
    log('');
    log(`machine: ${machine}; load average ${loadAtStart.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at the end`);
    log(
      `versions: ${Object.entries(notes)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}`,
    );

    const results = {
      date: started.toISOString(),
      machine,
      loadAverage: { start: loadAtStart, rounds: loads, end: os.loadavg()[0] },
      options: {
        runs,
        sizeBytes: size,
        loadSeconds: context.loadSeconds,
        connections: context.connections,
        scaleOut: args['scale-out'],
        only: onlyPatterns ?? null,
        logLevel: args['log-level'],
      },
      notes,
      figures: Object.fromEntries([...figures].map(([id, figure]) => [id, { ...figure, median: medians[id], samples: samples.get(id) }])),
      targets: goals,
    };
    await writeFile(path.join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    log('wrote bench/results.json');

    const full = !onlyPatterns && runs >= 3 && size === GiB;
    if (full && !args['no-docs']) {
      await drawChart(medians, figures, started, machine);
      await updateBenchmarksMd(tables, started, machine, notes, results.loadAverage);
    }
  } finally {
    for (const family of families) await family.teardown().catch((error) => log(`teardown of ${family.name} failed: ${error}`));
    await rm(scratch, { recursive: true, force: true });
    if (objectStoreBefore) {
      // Every file the run stored went with its bucket; RGW frees the data within ~30 s (start-ceph-rgw.sh's gc settings).
      const after = await projectCephRoom();
      if (after)
        log(`object store after the run: ${gib(after.usedBytes)} used (${gib(objectStoreBefore.usedBytes)} before; RGW collects deleted data within ~30 s)`);
    }
  }
}

async function drawChart(medians: Record<string, number>, figures: Map<string, Figure>, date: Date, machine: string): Promise<void> {
  const bar = (id: string, group: Bar['group'], label?: string): Bar[] =>
    Number.isFinite(medians[id]) ? [{ label: label ?? figures.get(id)!.label, value: medians[id], group }] : [];
  const ceiling = Math.min(medians['limits.disk'], medians['limits.md5']);
  const throughput: Bar[] = [
    ...bar('limits.tcp', 'limit'),
    ...bar('limits.disk', 'limit'),
    ...bar('limits.sha256', 'limit'),
    ...bar('limits.md5', 'limit'),
    ...bar('nginx.get', 'peer'),
    ...bar('nginx.put', 'peer'),
    ...bar('tus.patch', 'peer'),
    ...bar('naive.upload', 'peer', 'naive Fastify + multipart (hash, fsync)'),
    ...bar('datafiles.download', 'datafiles'),
    ...bar('datafiles.upload', 'datafiles', 'datafiles single upload (curl -F)'),
    ...bar('datafiles.multipart', 'datafiles', 'datafiles multipart (16 MiB × 4)'),
    ...bar('datafiles.rss.throughput', 'datafiles', 'datafiles 4 concurrent uploads (sum)'),
    ...bar('datafiles.s3.download', 'datafiles', 'datafiles download (PostgreSQL + S3)'),
    ...bar('datafiles.s3.upload', 'datafiles', 'datafiles single upload (PostgreSQL + S3)'),
    ...bar('datafiles.s3.multipart', 'datafiles', 'datafiles multipart (PostgreSQL + S3)'),
  ];
  const requests: Bar[] = [
    ...bar('fastify.hello.rps', 'peer'),
    ...bar('datafiles.details.rps', 'datafiles', 'datafiles GET details with auth'),
    ...bar('datafiles.s3.details.rps', 'datafiles', 'datafiles GET details (PostgreSQL)'),
  ];
  await writeChart(
    {
      title: `datafiles benchmark, ${date.toISOString().slice(0, 10)}`,
      subtitle: machine,
      throughput,
      lines: Number.isFinite(ceiling)
        ? [
            { label: `ceiling min(disk+fsync, MD5) = ${Math.round(ceiling)}`, value: ceiling },
            { label: `0.85 × ceiling = ${Math.round(0.85 * ceiling)}`, value: 0.85 * ceiling },
          ]
        : [],
      requests,
    },
    path.join(BENCH_DIR, 'throughput.png'),
  );
  log('wrote bench/throughput.png');
}

const TABLE_START = '<!-- bench:results:start -->';
const TABLE_END = '<!-- bench:results:end -->';

/** Replaces the generated block of BENCHMARKS.md (the prose around it is written by hand). */
async function updateBenchmarksMd(
  tables: string,
  date: Date,
  machine: string,
  notes: Record<string, string>,
  load: { start: number; rounds: number[]; end: number },
): Promise<void> {
  const file = path.join(REPO_DIR, 'BENCHMARKS.md');
  const text = await readFile(file, 'utf8').catch(() => '');
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    log('BENCHMARKS.md has no generated block; not updated');
    return;
  }
  const block = [
    TABLE_START,
    `Run of ${date.toISOString().replace('T', ' ').slice(0, 16)} UTC, \`npm run bench${args['scale-out'] ? ' -- --scale-out' : ''}\`, ${runs} rounds, 1 GiB transfers, autocannon ${args.seconds} s × ${args.connections} connections, server log level ${args['log-level']}.`,
    '',
    `Machine: ${machine}. Load average (1 min) ${load.start.toFixed(2)} at the start, ${load.rounds.map((value) => value.toFixed(2)).join(' / ')} at each round, ${load.end.toFixed(2)} at the end.`,
    '',
    `Versions: ${Object.entries(notes)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ')}.`,
    '',
    tables,
    TABLE_END,
  ].join('\n');
  await writeFile(file, text.slice(0, start) + block + text.slice(end + TABLE_END.length));
  log('updated the results in BENCHMARKS.md');
}

let finished = false;
// A measurement whose promise can never settle would otherwise end the process quietly with 0.
process.on('exit', (code) => {
  if (!finished && code === 0) {
    console.error('bench: stopped before finishing (a measurement waited on something that can never happen)');
    process.exitCode = 1;
  }
});
main().then(
  () => {
    finished = true;
  },
  (error) => {
    finished = true;
    console.error(error);
    process.exitCode = 1;
  },
);
