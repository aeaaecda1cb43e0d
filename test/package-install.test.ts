// Issue 16, item 4 (an installable package): `npm pack` makes a tarball with the built server
// and CLI (dist/, bin/), the SDK bundled, the LICENSE, and nothing of tests, benchmarks or
// sources; installed into an empty prefix, away from the repository, its `datafiles serve` serves
// and its client commands upload and download through it. @datafiles/sdk packs and installs on
// its own, with no dependency (docs/decisions.md 55).
//
// The tarball is packed with --ignore-scripts from the dist/ that scripts/test.sh just built:
// packing with scripts rebuilds dist/ from scratch, under the other suites that run it.
// Speed: a fresh machine compiles better-sqlite3 from source (about 3 minutes on 2 busy cores;
// its prebuilt download needs github.com). This test hands better-sqlite3's installer the binary
// the repository's own install built, as a local prebuild (prebuild-install's documented
// npm_config_<package>_local_prebuilds), so the install takes seconds; everything else comes
// from the npm cache (--prefer-offline), never from the repository.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from './support/server.js';

const execFileAsync = promisify(execFile);
const MIB = 1024 * 1024;

let work: string;
let env: NodeJS.ProcessEnv;
let tarball: string;

/** npm, run by the Node running this test (so native modules are built for it). */
async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', args, { cwd, env, maxBuffer: 64 * MIB, timeout: 600_000 });
  return stdout;
}

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'datafiles-package-'));
  const prebuilds = path.join(work, 'prebuilds');
  await mkdir(prebuilds);
  const betterSqlite = path.join(REPO_ROOT, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(await readFile(path.join(betterSqlite, 'package.json'), 'utf8')) as { version: string };
  const prebuild = path.join(prebuilds, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
  await execFileAsync('tar', ['-czf', prebuild, '-C', betterSqlite, 'build/Release/better_sqlite3.node']);
  env = {
    ...process.env,
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_better_sqlite3_local_prebuilds: prebuilds,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  // The test runner may have been started through npm: drop what npm told it about this project.
  for (const name of Object.keys(env)) if (/^npm_(package|lifecycle|command)/.test(name)) delete env[name];
  const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO_ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = path.join(work, packed[0].filename);
});
after(() => rm(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships dist/, bin/, deploy/, the bundled SDK, README and LICENSE; no tests, benchmarks, sources or scripts', async () => {
    const { stdout } = await execFileAsync('tar', ['-tzf', tarball], { maxBuffer: 16 * MIB });
    const files = stdout
      .trim()
      .split('\n')
      .map((name) => name.replace(/^package\//, ''));
    for (const needed of [
      'bin/datafiles.js',
      'dist/cli/main.js',
      'dist/server/startServer.js',
      'LICENSE',
      'README.md',
      'package.json',
      'deploy/datafiles.service',
      'deploy/datafiles.env',
      'node_modules/@datafiles/sdk/dist/index.js',
      'node_modules/@datafiles/sdk/package.json',
      'dist/ui/index.html',
      'dist/ui/app.js',
      'dist/ui/app.js.gz',
      'dist/ui/app.css',
    ]) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    const unwanted = files.filter(
      (name) =>
        /^(test|bench|src|scripts|clients|data)\//.test(name) ||
        /\.test\.|\.contract\.|\/contract\//.test(name) ||
        /^(BENCHMARKS\.md|tsconfig|eslint)/.test(name),
    );
    assert.deepEqual(unwanted, []);
    const license = await execFileAsync('tar', ['-xzOf', tarball, 'package/LICENSE']);
    assert.match(license.stdout, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(license.stdout, /END OF TERMS AND CONDITIONS/);
  });
});

describe('installed from the tarball into an empty prefix', () => {
  let prefix: string;
  let bin: string;
  const children: ReturnType<typeof spawn>[] = [];
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  before(async () => {
    prefix = path.join(work, 'prefix');
    // From an empty directory: nothing of the repository is in reach but the tarball.
    const elsewhere = path.join(work, 'elsewhere');
    await mkdir(elsewhere);
    await npm(['install', '--global', '--prefix', prefix, '--prefer-offline', tarball], elsewhere);
    bin = path.join(prefix, 'bin/datafiles');
  });

  it('serves, and its client commands upload and download byte for byte', async () => {
    const dataDir = path.join(work, 'data');
    const adminToken = randomBytes(24).toString('base64url');
    const run = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
      execFileAsync(process.execPath, [bin, ...args], { cwd: work, env: { ...env, ...extra }, maxBuffer: 16 * MIB });
    const { stdout: help } = await run(['--help']);
    assert.match(help, /Usage: datafiles <command>/);

    const server = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data', dataDir], {
      cwd: work,
      env: { ...env, DATAFILES_ADMIN_TOKEN: adminToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(server);
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /^datafiles: listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
        if (match) resolve(match[1]);
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.once('exit', (code) => reject(new Error(`the installed server exited with ${code}:\n${output}`)));
    });

    const { stdout: added } = await run(['users', 'add', 'alice', '--data', dataDir]);
    const alice = JSON.parse(added) as { token: string };
    const bytes = randomBytes(3 * MIB + 17);
    const source = path.join(work, 'upload.bin');
    await writeFile(source, bytes);
    const client = { DATAFILES_URL: url, DATAFILES_TOKEN: alice.token };
    const { stdout: uploaded } = await run(['upload', source, '--json'], client);
    const { dataFileId } = JSON.parse(uploaded.trim().split('\n').pop()!) as { dataFileId: number };
    const target = path.join(work, 'download.bin');
    await run(['download', String(dataFileId), '-o', target, '--json'], client);
    assert.ok((await readFile(target)).equals(bytes), 'the downloaded bytes are the uploaded ones');
    // The web interface ships in the package: the page and its bundle, from the install alone.
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /src="\/ui\/app\.js"/);
    assert.equal((await fetch(`${url}/ui/app.js`)).status, 200);

    server.kill('SIGTERM');
    const code = await new Promise((resolve) => (server.exitCode !== null ? resolve(server.exitCode) : server.once('exit', resolve)));
    assert.equal(code, 0, output);
  });
});

describe('@datafiles/sdk on its own', () => {
  it('packs, and installs with no dependencies into a project that imports it', async () => {
    const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], path.join(REPO_ROOT, 'clients/sdk'))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = packed[0].files.map((file) => file.path);
    assert.ok(paths.includes('dist/index.js') && paths.includes('dist/index.d.ts') && paths.includes('LICENSE'), paths.join(' '));
    const project = path.join(work, 'sdk-user');
    await mkdir(project);
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'sdk-user', private: true, type: 'module' }));
    await npm(['install', '--offline', path.join(work, packed[0].filename)], project);
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--input-type=module', '-e', "const sdk = await import('@datafiles/sdk'); console.log(typeof sdk.createClient)"],
      { cwd: project, env },
    );
    assert.equal(stdout.trim(), 'function');
  });
});
