// Installs what the benchmark compares against, outside the project: Debian's nginx (its core has
// the dav module, which is all a PUT needs) and, in the git-ignored bench/.peers/, the npm packages
// only the benchmark uses (@tus/server and its file store, @fastify/multipart for the naive peer,
// autocannon, and resvg for the chart). Nothing here is committed or added to package.json.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run, runOk } from './measure.js';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(BENCH_DIR, '..');
export const PEERS_DIR = path.join(BENCH_DIR, '.peers');

/** Pinned, so that runs on different days compare the same peers. */
export const NPM_PEERS: Record<string, string> = {
  '@tus/server': '2.4.5',
  '@tus/file-store': '2.1.1',
  '@fastify/multipart': '10.1.9',
  autocannon: '9.0.0',
  '@resvg/resvg-js': '2.6.2',
};

export async function ensureNpmPeers(log: (line: string) => void): Promise<void> {
  const manifest = { name: 'datafiles-bench-peers', private: true, description: 'Installed by bench/run.ts; never committed.', dependencies: NPM_PEERS };
  const manifestPath = path.join(PEERS_DIR, 'package.json');
  const wanted = JSON.stringify(manifest, null, 2);
  const current = existsSync(manifestPath) ? await readFile(manifestPath, 'utf8') : '';
  const installed = Object.keys(NPM_PEERS).every((name) => existsSync(path.join(PEERS_DIR, 'node_modules', name, 'package.json')));
  if (current === wanted && installed) return;
  log(
    `installing ${Object.entries(NPM_PEERS)
      .map(([name, version]) => `${name}@${version}`)
      .join(', ')} into bench/.peers`,
  );
  await mkdir(PEERS_DIR, { recursive: true });
  await writeFile(manifestPath, wanted);
  await runOk('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: PEERS_DIR });
}

const peerRequire = () => createRequire(path.join(PEERS_DIR, 'package.json'));

/** Imports a package installed in bench/.peers (ESM or CommonJS). */
export async function importPeer<T = any>(name: string): Promise<T> {
  const resolved = peerRequire().resolve(name);
  return (await import(pathToFileURL(resolved).href)) as T;
}

export async function peerVersion(name: string): Promise<string> {
  const file = path.join(PEERS_DIR, 'node_modules', name, 'package.json');
  return JSON.parse(await readFile(file, 'utf8')).version as string;
}

export async function projectPackageVersion(name: string): Promise<string> {
  const file = path.join(REPO_DIR, 'node_modules', name, 'package.json');
  return JSON.parse(await readFile(file, 'utf8')).version as string;
}

/** Debian's nginx (1.22 on bookworm, with the dav module for PUT), installed if missing. */
export async function ensureNginx(log: (line: string) => void): Promise<string> {
  const found = await run('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx']);
  if (found.code === 0 && found.stdout.trim()) return found.stdout.trim().split('\n')[0];
  log('installing nginx from Debian (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '--no-install-recommends', 'nginx'], { env });
  let result = await install();
  if (result.code !== 0) {
    await runOk('apt-get', ['update'], { env });
    result = await install();
  }
  if (result.code !== 0) throw new Error(`apt-get install nginx failed:\n${result.stderr}`);
  // Debian's package starts a system nginx where it can; the benchmark runs its own.
  await run('sh', ['-c', 'service nginx stop >/dev/null 2>&1 || true']);
  return '/usr/sbin/nginx';
}

export async function nginxVersion(binary: string): Promise<string> {
  const result = await run(binary, ['-v']);
  return /nginx\/(\S+)/.exec(result.stderr + result.stdout)?.[1] ?? 'unknown';
}
