// Mixed small operations under concurrency (issue 17, item 4), part of `npm run bench -- --scale-out`:
// the same workload against one embedded server (SQLite + disk) and against three servers sharing
// one PostgreSQL database and one S3 bucket (the project's Ceph RGW), in the same round.
//
// Each of CLIENTS clients loops for the round's seconds over a seeded random mix: uploads of
// 0–1.5 MB, new revisions of its user's files, GET details, lists of its user's files, downloads,
// and small multipart sessions (two parts of up to 256 KiB, then the commit). On scale-out, client
// i talks to server i mod 3, as a load balancer spreading connections would. The figure is
// completed operations per second (a multipart session counts once); failures are counted apart
// and a round with more than 1 % of them fails the run.
import { randomBytes } from 'node:crypto';
import { provisionBackend, type BackendResources } from '../test/support/backend.js';
import { CPU_GROUP_LABELS, CPU_GROUPS, describeCpuPerOperation, withCpuGroups, type CpuSplit } from './support/cpuGroups.js';
import { startDatafiles, type DatafilesServer } from './support/datafilesServer.js';
import type { BenchContext, Family, Figure, Measurement } from './support/family.js';
import { REPO_DIR } from './support/peers.js';

const API = '/domo/data-files/v1';
export const MIXED_CLIENTS = 28;
const USERS = 4;
const SCALE_OUT_SERVERS = 3;
const MAX_UPLOAD_BYTES = 1.5 * 1000 * 1000;
const MAX_PART_BYTES = 256 * 1024;
const FILES_PER_USER = 8;

type Operation = 'upload' | 'revision' | 'details' | 'list' | 'download' | 'multipart';
/** How often each operation is drawn, out of 100. */
const MIX: [Operation, number][] = [
  ['upload', 20],
  ['revision', 10],
  ['details', 25],
  ['list', 10],
  ['download', 25],
  ['multipart', 10],
];

/** mulberry32: a tiny seeded generator, so both deployments draw the same sequence of operations. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Deployment {
  servers: DatafilesServer[];
  /** The PostgreSQL database the servers share (scale-out), for the CPU split. */
  database?: string;
  users: { token: string; files: number[] }[];
  stop(): Promise<void>;
}

const payload = randomBytes(MAX_UPLOAD_BYTES);

async function call(server: DatafilesServer, token: string, pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('X-DOMO-Ryuu-Session', token);
  const response = await fetch(`${server.url}${API}${pathAndQuery}`, { ...init, headers });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${pathAndQuery} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return response;
}

function form(bytes: number): FormData {
  const data = new FormData();
  data.set('file', new Blob([payload.subarray(0, bytes)], { type: 'application/octet-stream' }), 'mixed.bin');
  return data;
}

async function upload(server: DatafilesServer, token: string, bytes: number): Promise<number> {
  const response = await call(server, token, `?name=mixed-${randomBytes(6).toString('hex')}.bin`, { method: 'POST', body: form(bytes) });
  return ((await response.json()) as { dataFileId: number }).dataFileId;
}

async function multipartSession(server: DatafilesServer, token: string, random: () => number): Promise<number> {
  const json = { 'content-type': 'application/json' };
  const created = await call(server, token, '/multipart', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ name: `mixed-${randomBytes(6).toString('hex')}.bin`, contentType: 'application/octet-stream' }),
  });
  const { sessionId } = (await created.json()) as { sessionId: string };
  for (const part of [1, 2]) {
    const bytes = 1 + Math.floor(random() * MAX_PART_BYTES);
    await (
      await call(server, token, `/multipart/${sessionId}/part/${part}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: payload.subarray(0, bytes),
      })
    ).arrayBuffer();
  }
  const committed = await call(server, token, `/multipart/${sessionId}/commit`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ sessionId, totalParts: 2 }),
  });
  return ((await committed.json()) as { dataFileId: number }).dataFileId;
}

async function runOperation(operation: Operation, server: DatafilesServer, user: Deployment['users'][number], random: () => number): Promise<void> {
  const someFile = () => user.files[Math.floor(random() * user.files.length)];
  switch (operation) {
    case 'upload':
      user.files.push(await upload(server, user.token, Math.floor(random() * MAX_UPLOAD_BYTES)));
      return;
    case 'revision':
      await (await call(server, user.token, `/${someFile()}`, { method: 'PUT', body: form(Math.floor(random() * MAX_UPLOAD_BYTES)) })).arrayBuffer();
      return;
    case 'details':
      await (await call(server, user.token, `/${someFile()}/details`)).arrayBuffer();
      return;
    case 'list':
      await (await call(server, user.token, '/details?limitToOwned=true&limit=50')).arrayBuffer();
      return;
    case 'download':
      await (await call(server, user.token, `/${someFile()}`)).arrayBuffer();
      return;
    case 'multipart':
      user.files.push(await multipartSession(server, user.token, random));
      return;
  }
}

function draw(random: () => number): Operation {
  let point = random() * 100;
  for (const [operation, weight] of MIX) {
    point -= weight;
    if (point < 0) return operation;
  }
  return 'details';
}

/** CLIENTS clients for `seconds`: completed operations per second, and failures. */
async function drive(
  deployment: Deployment,
  seconds: number,
  seedBase: number,
): Promise<{ opsPerSecond: number; completed: number; failures: number; p95: number; medians: string }> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let completed = 0;
  let failures = 0;
  let firstFailure: unknown;
  const latencies: number[] = [];
  const byOperation = new Map<Operation, number[]>();
  const client = async (index: number) => {
    const random = seeded(seedBase + index);
    const server = deployment.servers[index % deployment.servers.length];
    const user = deployment.users[index % deployment.users.length];
    while (performance.now() < deadline) {
      const operation = draw(random);
      const begun = performance.now();
      try {
        await runOperation(operation, server, user, random);
        completed += 1;
        latencies.push(performance.now() - begun);
        byOperation.set(operation, [...(byOperation.get(operation) ?? []), performance.now() - begun]);
      } catch (error) {
        failures += 1;
        firstFailure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: MIXED_CLIENTS }, (_, index) => client(index)));
  const elapsed = (performance.now() - started) / 1000;
  if (failures > 0.01 * (completed + failures))
    throw new Error(`${failures} of ${completed + failures} mixed operations failed; the first: ${String(firstFailure)}`);
  latencies.sort((a, b) => a - b);
  const medians = [...byOperation].map(([operation, times]) => `${operation} ${times.sort((a, b) => a - b)[times.length >> 1].toFixed(0)}`).join(', ');
  return {
    opsPerSecond: completed / elapsed,
    completed,
    failures,
    p95: latencies[Math.floor(latencies.length * 0.95)] ?? NaN,
    medians: `median ms: ${medians}`,
  };
}

/** CPU-ms per completed operation, by process group (bench/support/cpuGroups.ts). */
function cpuFigures(prefix: string, label: string): Record<string, Figure> {
  const figures: Record<string, Figure> = {};
  for (const group of [...CPU_GROUPS, 'stack', 'machine'] as const)
    figures[`${prefix}.cpu.${group}`] = { label: `mixed small operations: CPU per op, ${CPU_GROUP_LABELS[group]} (${label})`, unit: 'CPU-ms/op' };
  return figures;
}

function cpuSample(prefix: string, cpu: CpuSplit, operations: number): Record<string, number> {
  const perOp = (seconds: number) => (seconds * 1000) / Math.max(1, operations);
  const sample: Record<string, number> = {};
  for (const group of CPU_GROUPS) sample[`${prefix}.cpu.${group}`] = perOp(cpu[group]);
  sample[`${prefix}.cpu.stack`] = perOp(CPU_GROUPS.reduce((total, group) => total + cpu[group], 0));
  sample[`${prefix}.cpu.machine`] = perOp(cpu.machine);
  return sample;
}

async function deploy(backend: 'embedded' | 'scale-out', count: number, scratch: string, logLevel: string): Promise<Deployment> {
  const resources: BackendResources = await provisionBackend(backend);
  const servers: DatafilesServer[] = [];
  const users: Deployment['users'] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startDatafiles({ root: REPO_DIR, scratch, backend: resources, logLevel }));
    for (let i = 0; i < USERS; i++) users.push({ token: (await servers[0].addUser(`mixed${i}`)).token, files: [] });
    for (const user of users) for (let i = 0; i < FILES_PER_USER; i++) user.files.push(await upload(servers[0], user.token, 64 * 1024));
  } catch (error) {
    for (const server of servers) await server.stop();
    await resources.release();
    throw error;
  }
  const databaseUrl = resources.args[resources.args.indexOf('--database-url') + 1];
  const deployment: Deployment = {
    servers,
    users,
    database: resources.args.includes('--database-url') ? new URL(databaseUrl).pathname.slice(1) : undefined,
    async stop() {
      for (const server of servers) await server.stop();
      await resources.release();
    },
  };
  // Warm-up (JIT, connection pools, prepared statements), untimed.
  await drive(deployment, 2, 0);
  return deployment;
}

export async function mixedOpsFamily(context: BenchContext, logLevel: string): Promise<Family> {
  const embedded = await deploy('embedded', 1, context.scratch, logLevel);
  let scaleOut: Deployment;
  try {
    scaleOut = await deploy('scale-out', SCALE_OUT_SERVERS, context.scratch, logLevel);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  context.log(`  mixed small operations: ${MIXED_CLIENTS} clients; 1 embedded server; ${SCALE_OUT_SERVERS} servers on PostgreSQL + S3`);
  let round = 0;
  const measurement: Measurement = {
    id: 'mixed',
    figures: {
      'mixed.embedded': { label: `mixed small operations, ${MIXED_CLIENTS} clients, 1 server (SQLite + disk)`, unit: 'ops/s' },
      'mixed.embedded.p95': { label: 'mixed small operations p95 (SQLite + disk)', unit: 'ms' },
      'mixed.s3': { label: `mixed small operations, ${MIXED_CLIENTS} clients, ${SCALE_OUT_SERVERS} servers (PostgreSQL + S3)`, unit: 'ops/s' },
      'mixed.s3.p95': { label: 'mixed small operations p95 (PostgreSQL + S3)', unit: 'ms' },
      ...cpuFigures('mixed.embedded', 'SQLite + disk'),
      ...cpuFigures('mixed.s3', 'PostgreSQL + S3'),
    },
    async sample() {
      round += 1;
      const seconds = context.loadSeconds;
      const measure = async (deployment: Deployment, name: string) => {
        const measured = await withCpuGroups({ serverPids: deployment.servers.map((server) => server.child.pid!), database: deployment.database }, () =>
          drive(deployment, seconds, round * 1000),
        );
        const { result, cpu, wall } = measured;
        context.log(`    ${name}: ${result.opsPerSecond.toFixed(0)} ops/s; ${describeCpuPerOperation(cpu, result.completed, wall)}; ${result.medians}`);
        return measured;
      };
      const one = await measure(embedded, 'embedded');
      const many = await measure(scaleOut, 'scale-out');
      return {
        'mixed.embedded': one.result.opsPerSecond,
        'mixed.embedded.p95': one.result.p95,
        'mixed.s3': many.result.opsPerSecond,
        'mixed.s3.p95': many.result.p95,
        ...cpuSample('mixed.embedded', one.cpu, one.result.completed),
        ...cpuSample('mixed.s3', many.cpu, many.result.completed),
      };
    },
  };
  return {
    name: 'mixed',
    measurements: [measurement],
    notes: { 'mixed operations': MIX.map(([operation, weight]) => `${operation} ${weight} %`).join(' / ') },
    async teardown() {
      await embedded.stop();
      await scaleOut.stop();
    },
  };
}
