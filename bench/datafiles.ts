// datafiles itself, started as users run it (the built `datafiles serve`, through the test
// harness's startTestServer), on the embedded store or on PostgreSQL + S3:
// - single upload of the source file with curl -F;
// - multipart upload in 16 MiB parts, 4 in flight, each with its SHA-256 (the SDK's
//   uploadLargeFile once it exists; until then the same requests made here), and its commit latency;
// - download with curl;
// - GET details with a token under autocannon, and the list of a user's 10,000 files;
// - peak RSS of a fresh server during 4 concurrent uploads of the source file.
import { existsSync } from 'node:fs';
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { provisionBackend, type Backend, type BackendResources } from '../test/support/backend.js';
import { startDatafiles as launch, type DatafilesServer } from './support/datafilesServer.js';
import type { BenchContext, Family, Measurement } from './support/family.js';
import { curlOk, now, rate, run, seconds } from './support/measure.js';
import { REPO_DIR } from './support/peers.js';
import { runAutocannon } from './support/load.js';
import { sampleRss, withCpuAccounting } from './support/processes.js';
import { threadCpuOf, threadCpuSince } from './support/threadCpu.js';

const API = '/domo/data-files/v1';
const PART_SIZE = 16 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
const LISTED_FILES = 10_000;
const CONCURRENT_UPLOADS = 4;

type TestServer = DatafilesServer;

export interface DatafilesOptions {
  backend: Backend;
  /** Figure ids start with this ('datafiles', 'datafiles.s3', 'datafiles.before'). */
  prefix: string;
  /** Words added to every label, e.g. 'SQLite + disk'. */
  label: string;
  /** The checkout whose bin/datafiles.js is run (this one, or an exported older commit). */
  root: string;
  /** The source file's digests, to check that what was stored is what was sent. */
  expected: { md5: string; sha256: string };
  /** Which measurements to take (all when undefined). */
  only?: (id: string) => boolean;
  /** Server log level (the default, info, logs every request). */
  logLevel: string;
}

interface Started {
  server: TestServer;
  backend: BackendResources;
  stop(): Promise<void>;
}

async function startDatafiles(options: DatafilesOptions, scratch: string): Promise<Started> {
  const backend = await provisionBackend(options.backend);
  try {
    const server = await launch({ root: options.root, scratch, backend, logLevel: options.logLevel });
    return {
      server,
      backend,
      async stop() {
        await server.stop();
        await backend.release();
      },
    };
  } catch (error) {
    await backend.release();
    throw error;
  }
}

function tokenHeader(token: string): string[] {
  return ['-H', `X-DOMO-Ryuu-Session: ${token}`];
}

async function apiJson(server: TestServer, token: string, pathAndQuery: string, init: RequestInit = {}): Promise<any> {
  const headers = new Headers(init.headers);
  headers.set('X-DOMO-Ryuu-Session', token);
  const response = await fetch(`${server.url}${API}${pathAndQuery}`, { ...init, headers });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${pathAndQuery} answered ${response.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/** curl -F, as the README's upload example. */
async function curlUpload(server: TestServer, token: string, sourceFile: string, name: string): Promise<{ seconds: number; dataFileId: number }> {
  const { seconds, body } = await curlOk([
    '-H',
    'Expect:',
    ...tokenHeader(token),
    '-F',
    `file=@${sourceFile};type=application/octet-stream`,
    `${server.url}${API}?name=${encodeURIComponent(name)}`,
  ]);
  return { seconds, dataFileId: JSON.parse(body).dataFileId };
}

async function checkStored(server: TestServer, token: string, dataFileId: number, size: number, expected: { md5: string; sha256: string }): Promise<void> {
  const details = await apiJson(server, token, `/${dataFileId}/details`);
  const revision = details.currentRevision;
  if (revision.sizeBytes !== size || revision.md5Hash !== expected.md5 || revision.sha256HashValue !== expected.sha256) {
    throw new Error(`file ${dataFileId} was stored as ${JSON.stringify(revision)}, expected ${size} bytes, ${JSON.stringify(expected)}`);
  }
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
}

/**
 * The SDK's uploadLargeFile once the SDK has landed (is committed) and is built here; until then
 * the same requests are made by multipartOverHttp. BENCH_MULTIPART_CLIENT=http|sdk forces one.
 */
async function loadSdk(): Promise<any | undefined> {
  const entry = path.join(REPO_DIR, 'clients/sdk/dist/index.js');
  const forced = process.env.BENCH_MULTIPART_CLIENT;
  if (forced === 'http' || !existsSync(entry)) return undefined;
  if (forced !== 'sdk') {
    const landed = await run('git', ['log', '--oneline', '-1', '--', 'clients/sdk/src/uploadLargeFile.ts'], { cwd: REPO_DIR });
    if (landed.code !== 0 || landed.stdout.trim() === '') return undefined;
  }
  const sdk = await import(pathToFileURL(entry).href);
  return typeof sdk.uploadLargeFile === 'function' && typeof sdk.createClient === 'function' ? sdk : undefined;
}

/**
 * What uploadLargeFile does, with the same parameters: a session, parts read from the file and
 * hashed (SHA-256, Web Crypto) then PUT with their checksum, 4 in flight, then the commit.
 */
async function multipartOverHttp(
  server: TestServer,
  token: string,
  sourceFile: string,
  size: number,
  name: string,
): Promise<{ commitSeconds: number; dataFileId: number }> {
  const file = await openAsBlob(sourceFile);
  const { sessionId } = await apiJson(server, token, '/multipart', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, contentType: 'application/octet-stream' }),
  });
  const total = Math.ceil(size / PART_SIZE);
  let next = 1;
  const worker = async () => {
    while (next <= total) {
      const index = next++;
      const start = (index - 1) * PART_SIZE;
      const bytes = await file.slice(start, Math.min(size, start + PART_SIZE)).arrayBuffer();
      const checksum = await sha256Hex(bytes);
      await apiJson(server, token, `/multipart/${sessionId}/part/${index}?checksum=${checksum}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
    }
  };
  await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, worker));
  const committing = now();
  const result = await apiJson(server, token, `/multipart/${sessionId}/commit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, totalParts: total }),
  });
  return { commitSeconds: seconds(committing), dataFileId: result.dataFileId };
}

async function multipartWithSdk(
  sdk: any,
  server: TestServer,
  token: string,
  sourceFile: string,
  name: string,
): Promise<{ commitSeconds: number; dataFileId: number }> {
  // The commit's latency is timed around the SDK's own commit request.
  let commitStarted: bigint | undefined;
  let commitSeconds = NaN;
  const timedFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const isCommit = /\/multipart\/[^/]+\/commit$/.test(new URL(url).pathname);
    if (isCommit) commitStarted = now();
    const response = await fetch(input, init);
    if (isCommit && commitStarted !== undefined) {
      const body = await response.arrayBuffer();
      commitSeconds = seconds(commitStarted);
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    return response;
  };
  const client = sdk.createClient({ baseUrl: server.url, token, fetch: timedFetch });
  const file = await openAsBlob(sourceFile);
  const result = await sdk.uploadLargeFile(client, file, { name, partSize: PART_SIZE, concurrency: PARTS_IN_FLIGHT, singleUploadMaxBytes: 0 });
  return { commitSeconds, dataFileId: result.dataFileId };
}

/** Uploads `count` tiny files for `token`'s user, a few at a time. */
async function uploadMany(server: TestServer, token: string, count: number, log: (line: string) => void): Promise<void> {
  let next = 0;
  const started = now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const form = new FormData();
      form.append('file', new Blob([`file ${index}\n`], { type: 'text/plain' }), `f${index}.txt`);
      await apiJson(server, token, `?name=f${index}.txt`, { method: 'POST', body: form });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  log(`  stored ${count} small files in ${seconds(started).toFixed(1)} s`);
}

export async function datafilesFamily(context: BenchContext, options: DatafilesOptions): Promise<Family> {
  const { size, sourceFile } = context;
  const { label, prefix } = options;
  const want = (id: string) => options.only?.(id) ?? true;
  const main = await startDatafiles(options, context.scratch);
  const { server } = main;
  const user = await server.addUser('bench');
  const token = user.token as string;
  const sdk = options.root === REPO_DIR ? await loadSdk() : undefined;
  context.log(
    `  datafiles (${label}) at ${server.url}; multipart via ${sdk ? 'the SDK (@datafiles/sdk uploadLargeFile)' : 'direct HTTP requests (as uploadLargeFile makes them)'}`,
  );

  // Fixtures: one large file to download, one small one for details, 10,000 for the list.
  let downloadId = 0;
  if (want(`${prefix}.download`) || want(`${prefix}.duplicate`)) downloadId = (await curlUpload(server, token, sourceFile, 'download.bin')).dataFileId;
  const small = await apiJson(server, token, '?name=small.txt', {
    method: 'POST',
    body: (() => {
      const form = new FormData();
      form.append('file', new Blob(['hello\n'], { type: 'text/plain' }), 'small.txt');
      return form;
    })(),
  });
  const lister = await server.addUser('lister');
  if (want(`${prefix}.list`)) await uploadMany(server, lister.token, LISTED_FILES, context.log);
  // Warm the request path up (JIT, statement caches) before it is measured.
  if (want(`${prefix}.details`)) {
    await runAutocannon({
      url: `${server.url}${API}/${small.dataFileId}/details`,
      connections: context.connections,
      seconds: 2,
      headers: { 'X-DOMO-Ryuu-Session': token },
    });
  }
  // A moment for the disk to write out what the fixtures left in the page cache.
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const all: Measurement[] = [
    {
      id: `${prefix}.upload`,
      figures: {
        [`${prefix}.upload`]: { label: `datafiles single upload, curl -F (${label})`, unit: 'MiB/s' },
        [`${prefix}.upload.cpu`]: { label: `datafiles single upload: server CPU per GiB (${label})`, unit: 's' },
        [`${prefix}.upload.cpu.loop`]: { label: `datafiles single upload: server CPU per GiB, event loop thread (${label})`, unit: 's' },
        [`${prefix}.upload.cpu.kernel`]: { label: `datafiles single upload: server CPU per GiB, kernel mode, all threads (${label})`, unit: 's' },
        [`${prefix}.upload.cores`]: { label: `datafiles single upload: machine's cores busy, all processes (${label})`, unit: 'cores' },
      },
      async sample() {
        const threadsBefore = await threadCpuOf(server.child.pid!);
        const { result, serverCpu, busyCores } = await withCpuAccounting(server.child.pid!, () => curlUpload(server, token, sourceFile, 'single.bin'));
        const threads = threadCpuSince(threadsBefore, await threadCpuOf(server.child.pid!));
        await checkStored(server, token, result.dataFileId, size, options.expected);
        await apiJson(server, token, `/${result.dataFileId}`, { method: 'DELETE' });
        const gib = size / (1024 * 1024 * 1024);
        return {
          [`${prefix}.upload`]: rate(size, result.seconds),
          [`${prefix}.upload.cpu`]: serverCpu / gib,
          [`${prefix}.upload.cpu.loop`]: threads.eventLoop / gib,
          [`${prefix}.upload.cpu.kernel`]: threads.kernel / gib,
          [`${prefix}.upload.cores`]: busyCores,
        };
      },
    },
    {
      id: `${prefix}.multipart`,
      figures: {
        [`${prefix}.multipart`]: { label: `datafiles multipart, 16 MiB parts × 4 in flight, end to end (${label})`, unit: 'MiB/s' },
        [`${prefix}.multipart.commit`]: { label: `datafiles multipart commit latency (${label})`, unit: 'ms' },
        [`${prefix}.multipart.cpu`]: { label: `datafiles multipart: server CPU per GiB (${label})`, unit: 's' },
        [`${prefix}.multipart.clientcpu`]: { label: `datafiles multipart: client (this process) CPU per GiB (${label})`, unit: 's' },
      },
      async sample() {
        const started = now();
        // The client runs in this process, which does nothing else meanwhile: its CPU is the client's.
        const clientBefore = process.cpuUsage();
        const { result, serverCpu } = await withCpuAccounting(server.child.pid!, () =>
          sdk ? multipartWithSdk(sdk, server, token, sourceFile, 'multipart.bin') : multipartOverHttp(server, token, sourceFile, size, 'multipart.bin'),
        );
        const client = process.cpuUsage(clientBefore);
        const elapsed = seconds(started);
        await checkStored(server, token, result.dataFileId, size, options.expected);
        await apiJson(server, token, `/${result.dataFileId}`, { method: 'DELETE' });
        const gib = size / (1024 * 1024 * 1024);
        return {
          [`${prefix}.multipart`]: rate(size, elapsed),
          [`${prefix}.multipart.commit`]: result.commitSeconds * 1000,
          [`${prefix}.multipart.cpu`]: serverCpu / gib,
          [`${prefix}.multipart.clientcpu`]: (client.user + client.system) / 1e6 / gib,
        };
      },
    },
    {
      id: `${prefix}.download`,
      figures: { [`${prefix}.download`]: { label: `datafiles download (${label})`, unit: 'MiB/s' } },
      async sample() {
        // Untimed first: the file back in the page cache, as for nginx.
        await curlOk(['-o', '/dev/null', ...tokenHeader(token), `${server.url}${API}/${downloadId}`]);
        const { seconds: elapsed } = await curlOk(['-o', '/dev/null', ...tokenHeader(token), `${server.url}${API}/${downloadId}`]);
        return { [`${prefix}.download`]: rate(size, elapsed) };
      },
    },
    {
      id: `${prefix}.duplicate`,
      figures: {
        [`${prefix}.duplicate`]: { label: `datafiles duplicate of the ${size / (1024 * 1024)} MiB file, POST /{id}/duplicate (${label})`, unit: 'ms' },
      },
      async sample() {
        // Issue 13: a duplicate shares the source's bytes (docs/decisions.md 83); the median of 5.
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const { seconds: elapsed, body } = await curlOk([...tokenHeader(token), '-X', 'POST', `${server.url}${API}/${downloadId}/duplicate`]);
          const copy = JSON.parse(body) as { dataFileId: number };
          await checkStored(server, token, copy.dataFileId, size, options.expected);
          await apiJson(server, token, `/${copy.dataFileId}`, { method: 'DELETE' });
          times.push(elapsed * 1000);
        }
        times.sort((a, b) => a - b);
        return { [`${prefix}.duplicate`]: times[2] };
      },
    },
    {
      id: `${prefix}.details`,
      figures: {
        [`${prefix}.details.rps`]: { label: `datafiles GET details with auth (${label})`, unit: 'req/s' },
        [`${prefix}.details.p99`]: { label: `datafiles GET details p99 (${label})`, unit: 'ms' },
      },
      async sample() {
        const result = await runAutocannon({
          url: `${server.url}${API}/${small.dataFileId}/details`,
          connections: context.connections,
          seconds: context.loadSeconds,
          headers: { 'X-DOMO-Ryuu-Session': token },
        });
        return { [`${prefix}.details.rps`]: result.requestsPerSecond, [`${prefix}.details.p99`]: result.p99 };
      },
    },
    {
      id: `${prefix}.list`,
      figures: { [`${prefix}.list`]: { label: `datafiles list of a user's ${LISTED_FILES} files (${label})`, unit: 'ms' } },
      async sample() {
        // The median of 5 lists: one list is a single short request.
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const { seconds: elapsed, body } = await curlOk([...tokenHeader(lister.token), `${server.url}${API}/details?limitToOwned=true`]);
          const count = JSON.parse(body).length;
          if (count !== LISTED_FILES) throw new Error(`the list held ${count} files, not ${LISTED_FILES}`);
          times.push(elapsed * 1000);
        }
        times.sort((a, b) => a - b);
        return { [`${prefix}.list`]: times[2] };
      },
    },
    {
      id: `${prefix}.rss`,
      figures: {
        [`${prefix}.rss`]: { label: `datafiles peak RSS, ${CONCURRENT_UPLOADS} concurrent uploads (${label})`, unit: 'MiB' },
        [`${prefix}.rss.throughput`]: { label: `datafiles ${CONCURRENT_UPLOADS} concurrent uploads, aggregate (${label})`, unit: 'MiB/s' },
      },
      async sample() {
        // A fresh server, so the figure is this workload's peak and nothing earlier's.
        const fresh = await startDatafiles(options, context.scratch);
        try {
          const pid = fresh.server.child.pid!;
          const sampler = sampleRss(pid);
          const started = now();
          const uploads = await Promise.all(
            Array.from({ length: CONCURRENT_UPLOADS }, (_, index) => curlUpload(fresh.server, fresh.server.adminToken, sourceFile, `concurrent-${index}.bin`)),
          );
          const elapsed = seconds(started);
          const memory = await sampler.stop();
          for (const upload of uploads) await checkStored(fresh.server, fresh.server.adminToken, upload.dataFileId, size, options.expected);
          return { [`${prefix}.rss`]: Math.max(memory.peakMiB, memory.sampledMiB), [`${prefix}.rss.throughput`]: rate(size * CONCURRENT_UPLOADS, elapsed) };
        } finally {
          await fresh.stop();
        }
      },
    },
  ];
  const measurements = all.filter((measurement) => want(measurement.id));

  return {
    name: prefix,
    measurements,
    notes: {
      [`${prefix} multipart client`]: sdk ? '@datafiles/sdk uploadLargeFile' : 'direct HTTP, same parameters as uploadLargeFile',
      [`${prefix} log level`]: options.logLevel,
    },
    teardown: () => main.stop(),
  };
}
