// Virus-scanning figures for BENCHMARKS.md (issue 14), all in one run, medians of --runs rounds:
//   - scan throughput: datafiles' scan of one revision (datafiles_scan_duration_seconds, reading
//     the blob and streaming it to clamd) against `clamdscan --stream` of the same file, on the
//     same clamd (scripts/services/start-clamd.sh);
//   - upload throughput with scanning on and off: two servers, the same uploads, interleaved.
//
//   node --import tsx bench/scan.ts [--size MiB] [--runs N]      (after npm run build)
// Needs clamdscan (Debian's clamdscan package) for the comparison.
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { ensureClamd } from '../test/support/clamd.js';
import { API, api, startTestServer, type TestServer } from '../test/support/server.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const { values } = parseArgs({ options: { size: { type: 'string', default: '64' }, runs: { type: 'string', default: '3' } } });
const size = Number(values.size) * MiB;
const runs = Number(values.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function uploadSeconds(server: TestServer, token: string, file: Buffer): Promise<{ seconds: number; fileId: number }> {
  const form = new FormData();
  form.append('file', new Blob([file as BlobPart]), 'bench.bin');
  const started = performance.now();
  const response = await api(server, token, `${API}?name=bench.bin`, { method: 'POST', body: form });
  if (response.status !== 200) throw new Error(`upload: ${response.status} ${await response.text()}`);
  const { dataFileId } = (await response.json()) as { dataFileId: number };
  return { seconds: (performance.now() - started) / 1000, fileId: dataFileId };
}

async function scanSum(server: TestServer): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const sum = Number(/^datafiles_scan_duration_seconds_sum\{result="SAFE"\} (\S+)/m.exec(text)?.[1] ?? 0);
  const count = Number(/^datafiles_scan_duration_seconds_count\{result="SAFE"\} (\S+)/m.exec(text)?.[1] ?? 0);
  return { sum, count };
}

const clamd = await ensureClamd();
const dir = await mkdtemp(path.join(tmpdir(), 'datafiles-scan-bench-'));
const filePath = path.join(dir, 'bench.bin');
const file = randomFillSync(Buffer.alloc(size));
await writeFile(filePath, file);
const scanning = await startTestServer({
  args: ['--clamd', clamd.unixUrl, '--scan-max-bytes', String(size * 2), '--scan-concurrency', '1'],
  env: { DATAFILES_LOG_LEVEL: 'warn' },
});
const plain = await startTestServer({ env: { DATAFILES_LOG_LEVEL: 'warn' } });
try {
  const tokens = { scanning: (await scanning.addUser('bench')).token, plain: (await plain.addUser('bench')).token };
  const samples = { clamdscan: [] as number[], datafilesScan: [] as number[], uploadOn: [] as number[], uploadOff: [] as number[] };
  for (let round = 0; round < runs; round++) {
    const t0 = performance.now();
    await run('clamdscan', ['--no-summary', '--stream', `--config-file=${path.join(clamd.dir, 'clamd.conf')}`, filePath]);
    samples.clamdscan.push((performance.now() - t0) / 1000);

    samples.uploadOff.push((await uploadSeconds(plain, tokens.plain, file)).seconds);
    const before = await scanSum(scanning);
    samples.uploadOn.push((await uploadSeconds(scanning, tokens.scanning, file)).seconds);
    for (;;) {
      const now = await scanSum(scanning);
      if (now.count > before.count) {
        samples.datafilesScan.push(now.sum - before.sum);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const rate = (seconds: number) => size / MiB / seconds;
  const result = {
    sizeMiB: size / MiB,
    runs,
    clamdscanMiBps: rate(median(samples.clamdscan)),
    datafilesScanMiBps: rate(median(samples.datafilesScan)),
    scanRatio: median(samples.clamdscan) / median(samples.datafilesScan),
    uploadScanningOffMiBps: rate(median(samples.uploadOff)),
    uploadScanningOnMiBps: rate(median(samples.uploadOn)),
    uploadRatio: median(samples.uploadOff) / median(samples.uploadOn),
    samples,
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await scanning.cleanup();
  await plain.cleanup();
  await rm(dir, { recursive: true, force: true });
}
