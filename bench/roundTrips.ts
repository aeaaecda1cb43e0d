// Round trips of small operations on PostgreSQL + S3 (issue 17, item 4): how many SQL round
// trips and S3 requests one upload, revision, details, download and small multipart session
// costs, counted on the wire by two TCP proxies the server is pointed through.
//
//   npm run build && node --import tsx bench/roundTrips.ts [--count N] [--bytes B]
//
// SQL: a round trip is a frontend Sync ('S', the end of one extended-protocol query: node-postgres
// sends Parse/Bind/Describe/Execute/Sync in one write and waits) or a simple Query ('Q': BEGIN,
// COMMIT). S3: a request is a request line (`PUT /bucket/key HTTP/1.1`) seen on the connection.
// The figures are the mean per operation over N operations after a warm-up.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { provisionBackend } from '../test/support/backend.js';
import { startDatafiles } from './support/datafilesServer.js';

const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API = '/domo/data-files/v1';
const { values: args } = parseArgs({ options: { count: { type: 'string', default: '20' }, bytes: { type: 'string', default: '4096' } } });
const count = Number(args.count);
const bytes = Number(args.bytes);

interface Counter {
  counts: Map<string, number>;
  port: number;
  close(): void;
}

/** A TCP proxy to `target` that counts what `count` finds in the client's bytes. */
async function countingProxy(
  target: { host: string; port: number },
  makeCounter: () => (chunk: Buffer, add: (name: string) => void) => void,
): Promise<Counter> {
  const counts = new Map<string, number>();
  const add = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const counter = makeCounter();
    client.on('data', (chunk) => {
      counter(chunk, add);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    counts,
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** PostgreSQL's frontend messages: an untyped startup message, then type byte + Int32 length. */
function postgresCounter() {
  let pending = Buffer.alloc(0);
  let started = false;
  return (chunk: Buffer, add: (name: string) => void) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (!started) {
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        const code = pending.readInt32BE(4);
        if (pending.length < length) return;
        pending = pending.subarray(length);
        if (code !== 80877103) started = true; // not an SSLRequest
        continue;
      }
      if (pending.length < 5) return;
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return;
      const type = String.fromCharCode(pending[0]);
      if (type === 'S') add('sync');
      if (type === 'Q') add('query');
      if (process.env.ROUND_TRIPS_SQL && (type === 'Q' || type === 'P')) {
        const text = pending
          .subarray(5, 1 + length)
          .toString('utf8')
          .split('\0')
          .filter(Boolean);
        console.error(`  sql: ${(type === 'P' ? (text[1] ?? text[0]) : text[0]).slice(0, 160)}`);
      }
      pending = pending.subarray(1 + length);
    }
  };
}

/** HTTP request lines at the start of a chunk or after a CRLF (good enough for counting). */
function httpCounter() {
  return (chunk: Buffer, add: (name: string) => void) => {
    const text = chunk.toString('latin1');
    for (const match of text.matchAll(/(?:^|\r\n)(GET|PUT|POST|DELETE|HEAD) (\S+) HTTP\/1\.1\r\n/g)) {
      const url = new URL(match[2], 'http://x');
      const query = [...url.searchParams.keys()].filter((key) => !key.startsWith('x-')).join('&');
      add(`${match[1]}${query ? ` ?${query}` : ''}`);
    }
  };
}

const resources = await provisionBackend('scale-out');
const databaseUrl = new URL(resources.args[resources.args.indexOf('--database-url') + 1]);
const s3Endpoint = new URL(resources.args[resources.args.indexOf('--s3-endpoint') + 1]);
const sql = await countingProxy({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) }, postgresCounter);
const s3 = await countingProxy({ host: s3Endpoint.hostname, port: Number(s3Endpoint.port || 80) }, httpCounter);
const proxied = resources.args.map((arg, index, all) => {
  if (all[index - 1] === '--database-url') return Object.assign(new URL(arg), { port: String(sql.port), hostname: '127.0.0.1' }).toString();
  if (all[index - 1] === '--s3-endpoint') return `http://127.0.0.1:${s3.port}`;
  return arg;
});
const scratch = await mkdtemp(path.join(tmpdir(), 'datafiles-roundtrips-'));
const server = await startDatafiles({ root: REPO_DIR, scratch, backend: { ...resources, args: proxied }, logLevel: 'warn' });

async function ok(response: Response): Promise<Response> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return response;
}

try {
  const { token } = await server.addUser('bench');
  const headers = { 'X-DOMO-Developer-Token': token };
  const body = randomBytes(bytes);
  const form = () => {
    const data = new FormData();
    data.set('file', new Blob([body], { type: 'application/octet-stream' }), 'small.bin');
    return data;
  };
  const json = async (pathAndQuery: string, init: RequestInit = {}) =>
    (await (await ok(await fetch(`${server.url}${API}${pathAndQuery}`, { ...init, headers: { ...headers, ...init.headers } }))).json()) as any;
  let fileId = 0;
  const operations: Record<string, () => Promise<void>> = {
    upload: async () => {
      fileId = (await json(`?name=small-${randomBytes(6).toString('hex')}.bin`, { method: 'POST', body: form() })).dataFileId;
    },
    revision: async () => void (await json(`/${fileId}`, { method: 'PUT', body: form() })),
    details: async () => void (await json(`/${fileId}/details`)),
    download: async () => void (await (await ok(await fetch(`${server.url}${API}/${fileId}`, { headers }))).arrayBuffer()),
    list: async () => void (await json('/details?limitToOwned=true&limit=50')),
    'multipart (2 parts)': async () => {
      const { sessionId } = await json('/multipart', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `mp-${randomBytes(6).toString('hex')}.bin`, contentType: 'application/octet-stream' }),
      });
      for (const part of [1, 2]) {
        await json(`/multipart/${sessionId}/part/${part}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });
      }
      await json(`/multipart/${sessionId}/commit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId, totalParts: 2 }),
      });
    },
  };
  for (const operation of Object.values(operations)) await operation(); // warm-up
  console.log(`${count} of each, ${bytes}-byte bodies; mean round trips per operation on PostgreSQL + S3\n`);
  console.log('| operation | SQL round trips | S3 requests | ms (median) |\n|---|---:|---|---:|');
  for (const [name, operation] of Object.entries(operations)) {
    const before = { sql: new Map(sql.counts), s3: new Map(s3.counts) };
    const times: number[] = [];
    if (process.env.ROUND_TRIPS_SQL) console.error(`-- ${name}`);
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await operation();
      times.push(performance.now() - started);
    }
    const delta = (after: Map<string, number>, prior: Map<string, number>) =>
      [...after].map(([key, value]): [string, number] => [key, (value - (prior.get(key) ?? 0)) / count]).filter(([, value]) => value > 0);
    const sqlTrips = delta(sql.counts, before.sql).reduce((sum, [, value]) => sum + value, 0);
    const s3Requests = delta(s3.counts, before.s3)
      .map(([key, value]) => `${value.toFixed(1)} ${key}`)
      .join(', ');
    times.sort((a, b) => a - b);
    console.log(`| ${name} | ${sqlTrips.toFixed(1)} | ${s3Requests || '0'} | ${times[times.length >> 1].toFixed(1)} |`);
  }
} finally {
  await server.stop();
  sql.close();
  s3.close();
  await resources.release();
  await rm(scratch, { recursive: true, force: true });
}
