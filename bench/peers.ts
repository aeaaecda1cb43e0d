// What users would run instead, measured on the same machine in the same run:
// - nginx with its dav module, receiving the file by PUT and serving it by GET (sendfile);
// - @tus/server with its file store, receiving the file in one PATCH;
// - a naive Fastify + @fastify/multipart server that hashes on the event loop and fsyncs;
// - a bare Fastify hello-world route under autocannon (the framework's ceiling).
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { runAutocannon } from './support/load.js';
import type { BenchContext, Family, Measurement } from './support/family.js';
import { curlOk, rate, run } from './support/measure.js';
import { BENCH_DIR, ensureNginx, nginxVersion, peerVersion, projectPackageVersion } from './support/peers.js';
import { startChild, withCpuAccounting, type ChildServer } from './support/processes.js';
import { treeCpuSeconds } from './support/threadCpu.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function emptyDirectory(directory: string): Promise<void> {
  for (const name of await readdir(directory)) await rm(path.join(directory, name), { recursive: true, force: true });
}

function nginxConfig(root: string, port: number): string {
  return `# Written by bench/peers.ts for one benchmark run.
user root;
worker_processes auto;
daemon off;
pid ${root}/nginx.pid;
error_log ${root}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path ${root}/body;
  proxy_temp_path ${root}/proxy;
  fastcgi_temp_path ${root}/fastcgi;
  uwsgi_temp_path ${root}/uwsgi;
  scgi_temp_path ${root}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root}/www;
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw;
    }
  }
}
`;
}

async function startNginx(binary: string, root: string): Promise<ChildServer> {
  await mkdir(path.join(root, 'www'), { recursive: true });
  const port = await freePort();
  const config = path.join(root, 'nginx.conf');
  await writeFile(config, nginxConfig(root, port));
  const server = await startChild(binary, ['-p', root, '-c', config], { ready: null });
  // nginx prints nothing when it starts: wait until the port answers.
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const probe = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${url}/`]);
    if (probe.stdout.trim() !== '000') break;
    if (server.child.exitCode !== null) throw new Error(`nginx exited:\n${server.output()}`);
    if (attempt > 100) throw new Error(`nginx did not answer on ${url}:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ...server, url };
}

function nodeServer(script: string, args: string[] = []): Promise<ChildServer> {
  return startChild(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'servers', script), ...args]);
}

export async function peerFamily(context: BenchContext): Promise<Family> {
  const { size, sourceFile } = context;
  const servers: ChildServer[] = [];
  const root = path.join(context.scratch, 'peers');
  const dirs = { nginx: path.join(root, 'nginx'), tus: path.join(root, 'tus'), naive: path.join(root, 'naive') };
  for (const directory of Object.values(dirs)) await mkdir(directory, { recursive: true });

  const nginxBinary = await ensureNginx(context.log);
  const nginx = await startNginx(nginxBinary, dirs.nginx);
  servers.push(nginx);
  const tus = await nodeServer('tus.ts', [dirs.tus]);
  servers.push(tus);
  const naive = await nodeServer('naiveUpload.ts', [dirs.naive]);
  servers.push(naive);
  const hello = await nodeServer('hello.ts');
  servers.push(hello);

  await runAutocannon({ url: `${hello.url}/`, connections: context.connections, seconds: 2 }); // warm-up
  const nginxGetUrl = `${nginx.url}/files/served.bin`;
  await curlOk(['-o', '/dev/null', '-T', sourceFile, nginxGetUrl]);

  const measurements: Measurement[] = [
    {
      id: 'nginx.put',
      figures: {
        'nginx.put': { label: 'nginx PUT (dav, no fsync)', unit: 'MiB/s' },
        'nginx.put.cpu': { label: 'nginx PUT: server CPU per GiB, master and workers (no hash, no fsync)', unit: 's' },
      },
      async sample() {
        const target = `${nginx.url}/uploads/${Date.now()}.bin`;
        const cpuBefore = await treeCpuSeconds(nginx.child.pid!);
        const { seconds } = await curlOk(['-o', '/dev/null', '-H', 'Expect:', '-T', sourceFile, target]);
        const cpu = (await treeCpuSeconds(nginx.child.pid!)) - cpuBefore;
        await curlOk(['-o', '/dev/null', '-X', 'DELETE', target]);
        return { 'nginx.put': rate(size, seconds), 'nginx.put.cpu': cpu / (size / (1024 * 1024 * 1024)) };
      },
    },
    {
      id: 'nginx.get',
      figures: { 'nginx.get': { label: 'nginx GET (sendfile)', unit: 'MiB/s' } },
      async sample() {
        await curlOk(['-o', '/dev/null', nginxGetUrl]); // untimed: the file back in the page cache
        const { seconds } = await curlOk(['-o', '/dev/null', nginxGetUrl]);
        return { 'nginx.get': rate(size, seconds) };
      },
    },
    {
      id: 'tus.patch',
      figures: { 'tus.patch': { label: '@tus/server PATCH (no hash, no fsync)', unit: 'MiB/s' } },
      async sample() {
        const created = await curlOk([
          '-o',
          '/dev/null',
          '-D',
          '-',
          '-X',
          'POST',
          '-H',
          'Tus-Resumable: 1.0.0',
          '-H',
          `Upload-Length: ${size}`,
          `${tus.url}/files`,
        ]);
        const location = /^location:\s*(\S+)/im.exec(created.body)?.[1];
        if (!location) throw new Error(`tus gave no Location:\n${created.body}`);
        const uploadUrl = new URL(location, tus.url).toString();
        const { seconds } = await curlOk([
          '-o',
          '/dev/null',
          '-X',
          'PATCH',
          '-T',
          sourceFile,
          '-H',
          'Tus-Resumable: 1.0.0',
          '-H',
          'Upload-Offset: 0',
          '-H',
          'Content-Type: application/offset+octet-stream',
          '-H',
          'Expect:',
          uploadUrl,
        ]);
        await emptyDirectory(dirs.tus);
        return { 'tus.patch': rate(size, seconds) };
      },
    },
    {
      id: 'naive.upload',
      figures: {
        'naive.upload': { label: 'naive Fastify + @fastify/multipart (hash on event loop, fsync)', unit: 'MiB/s' },
        'naive.upload.cpu': { label: 'naive Fastify upload: server CPU per GiB', unit: 's' },
        'naive.upload.cores': { label: "naive Fastify upload: machine's cores busy, all processes", unit: 'cores' },
      },
      async sample() {
        const { result, serverCpu, busyCores } = await withCpuAccounting(naive.child.pid!, () =>
          curlOk(['-F', `file=@${sourceFile};type=application/octet-stream`, '-H', 'Expect:', `${naive.url}/upload`]),
        );
        if (JSON.parse(result.body).size !== size) throw new Error(`the naive server stored ${result.body}`);
        await emptyDirectory(dirs.naive);
        return { 'naive.upload': rate(size, result.seconds), 'naive.upload.cpu': serverCpu / (size / (1024 * 1024 * 1024)), 'naive.upload.cores': busyCores };
      },
    },
    {
      id: 'fastify.hello',
      figures: {
        'fastify.hello.rps': { label: 'bare Fastify hello-world', unit: 'req/s' },
        'fastify.hello.p99': { label: 'bare Fastify hello-world p99', unit: 'ms' },
      },
      async sample() {
        const result = await runAutocannon({ url: `${hello.url}/`, connections: context.connections, seconds: context.loadSeconds });
        return { 'fastify.hello.rps': result.requestsPerSecond, 'fastify.hello.p99': result.p99 };
      },
    },
  ];

  return {
    name: 'peers',
    measurements,
    notes: {
      nginx: await nginxVersion(nginxBinary),
      '@tus/server': await peerVersion('@tus/server'),
      '@tus/file-store': await peerVersion('@tus/file-store'),
      fastify: await projectPackageVersion('fastify'),
      '@fastify/multipart': await peerVersion('@fastify/multipart'),
      autocannon: await peerVersion('autocannon'),
    },
    async teardown() {
      for (const server of servers) await server.stop();
    },
  };
}
