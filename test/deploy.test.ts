// Issue 16, item 6 (deployment docs that are tested): the README's nginx example passes
// `nginx -t` (with a throwaway certificate; nginx is installed by scripts/services/install-nginx.sh
// when missing, and the test fails if it cannot be); the environment files (deploy/datafiles.env
// and the README's example) read the same under systemd, Docker and a shell; the systemd unit
// (deploy/datafiles.service) passes `systemd-analyze verify`; and start-up failures of PostgreSQL
// and S3 name the dependency, its address and what to check (docs/decisions.md 57).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CLI, REPO_ROOT } from './support/server.js';

const execFileAsync = promisify(execFile);
let work: string;
let readme: string;

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'datafiles-deploy-'));
  readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
});
after(() => rm(work, { recursive: true, force: true }));

/** The fenced code blocks of the README in a language whose first line matches `first`. */
function readmeBlocks(language: string, first: RegExp): string[] {
  const blocks = [...readme.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1]);
  return blocks.filter((block) => first.test(block.split('\n')[0]));
}

describe("the README's nginx example", () => {
  it('passes nginx -t, with a throwaway certificate in place of the real one', async () => {
    const [example] = readmeBlocks('nginx', /datafiles\.conf/);
    assert.ok(example, 'the README has the nginx example');
    const { stdout: installed } = await execFileAsync('bash', [path.join(REPO_ROOT, 'scripts/services/install-nginx.sh')], { timeout: 900_000 }).catch(
      (error: { stderr?: string }) => {
        throw new Error(`nginx is needed for this test and could not be installed: ${error.stderr ?? String(error)}`);
      },
    );
    const nginx = installed.trim().split('\n').pop()!;
    const prefix = path.join(work, 'nginx');
    await mkdir(path.join(prefix, 'logs'), { recursive: true });
    const certificate = path.join(prefix, 'datafiles.crt');
    const key = path.join(prefix, 'datafiles.key');
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=files.example.com',
      '-keyout',
      key,
      '-out',
      certificate,
    ]);
    const site = example.replace('/etc/ssl/certs/datafiles.crt', certificate).replace('/etc/ssl/private/datafiles.key', key);
    assert.notEqual(site, example, 'the example names its certificate files');
    await writeFile(path.join(prefix, 'datafiles.conf'), site);
    // The example goes where Debian's nginx.conf includes conf.d/*.conf: inside http { }.
    await writeFile(
      path.join(prefix, 'nginx.conf'),
      `pid ${prefix}/nginx.pid;\nerror_log ${prefix}/logs/error.log;\nevents {}\nhttp {\n  access_log ${prefix}/logs/access.log;\n  include ${prefix}/datafiles.conf;\n}\n`,
    );
    const result = await execFileAsync(nginx, ['-t', '-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'logs/error.log')]).catch(
      (error: { stderr?: string }) => error,
    );
    const stderr = (result as { stderr?: string }).stderr ?? '';
    assert.match(stderr, /syntax is ok/, stderr);
    assert.match(stderr, /test is successful/, stderr);
    assert.doesNotMatch(stderr, /\[warn\]|\[emerg\]/, stderr);
  });
});

/**
 * What each reader makes of an environment file: systemd's EnvironmentFile= and Docker's
 * --env-file take everything after the first '=' literally (Docker: no quote or comment handling
 * at all); a shell (set -a; . FILE) strips quotes and trailing comments. They agree only on plain
 * values, which is what the files must hold.
 */
async function readEnvFile(text: string): Promise<{ literal: Record<string, string>; shell: Record<string, string> }> {
  const literal: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const equals = line.indexOf('=');
    assert.ok(equals > 0, `not KEY=value: ${line}`);
    literal[line.slice(0, equals)] = line.slice(equals + 1);
  }
  const file = path.join(work, `env-${Object.keys(literal).length}-${Date.now()}`);
  await writeFile(file, text);
  const script = `set -a; . ${JSON.stringify(file)}; set +a; for name in ${Object.keys(literal).join(' ')}; do printf '%s=%s\\0' "$name" "\${!name}"; done`;
  const { stdout } = await execFileAsync('bash', ['-c', script], { env: {} });
  const shell = Object.fromEntries(
    stdout
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
  return { literal, shell };
}

describe('environment files', () => {
  for (const [name, text] of [
    ['deploy/datafiles.env', () => readFile(path.join(REPO_ROOT, 'deploy/datafiles.env'), 'utf8')],
    ["the README's /etc/datafiles.env", async () => readmeBlocks('sh', /\/etc\/datafiles\.env/)[0]],
  ] as const) {
    it(`${name} reads the same under systemd, Docker and a shell: no inline comments, quotes or spaces`, async () => {
      const content = await text();
      assert.ok(content, `${name} exists`);
      const { literal, shell } = await readEnvFile(content);
      assert.ok(Object.keys(literal).length >= 3, 'it sets variables');
      for (const [key, value] of Object.entries(literal)) {
        assert.match(key, /^[A-Z_][A-Z0-9_]*$/, `${key}: a plain variable name`);
        assert.doesNotMatch(value, /[\s#'"\\$`]/, `${key}=${value}: no spaces, comments, quotes or expansions`);
      }
      assert.deepEqual(shell, literal);
    });
  }
});

describe('the systemd unit', () => {
  it('deploy/datafiles.service passes systemd-analyze verify, without a warning, and is hardened', async () => {
    const unit = await readFile(path.join(REPO_ROOT, 'deploy/datafiles.service'), 'utf8');
    for (const setting of [
      'User=datafiles',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/datafiles',
      'EnvironmentFile=/etc/datafiles/datafiles.env',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=',
    ]) {
      assert.match(unit, new RegExp(`^${setting.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'), setting);
    }
    const dataDir = /^DATAFILES_DATA_DIR=(.*)$/m.exec(await readFile(path.join(REPO_ROOT, 'deploy/datafiles.env'), 'utf8'))?.[1];
    assert.equal(dataDir, '/var/lib/datafiles', 'the environment file keeps the data where the unit may write');
    // verify checks that ExecStart's program exists: point it at a stand-in for the installed command.
    const execStart = /^ExecStart=(\S+) serve$/m.exec(unit);
    assert.ok(execStart, 'ExecStart runs `datafiles serve`');
    const standIn = path.join(work, 'datafiles');
    await writeFile(standIn, '#!/bin/sh\n');
    await chmod(standIn, 0o755);
    const unitDir = path.join(work, 'systemd');
    await mkdir(unitDir, { recursive: true });
    await writeFile(path.join(unitDir, 'datafiles.service'), unit.replace(execStart[1], standIn));
    const result = await execFileAsync('systemd-analyze', ['verify', path.join(unitDir, 'datafiles.service')]).catch(
      (error: { code?: unknown; stderr?: string }) => {
        if (error.code === 'ENOENT') throw new Error('systemd-analyze is needed for this test (Debian: apt-get install systemd)');
        throw new Error(`systemd-analyze verify failed: ${error.stderr}`);
      },
    );
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'no warnings (an unknown or misspelt setting is only a warning)');
  });
});

describe('start-up errors name the dependency, its address and what to check', () => {
  /** A port nothing listens on. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  async function serveFails(args: string[], env: Record<string, string> = {}): Promise<string> {
    const dataDir = await mkdtemp(path.join(work, 'data-'));
    const result = await execFileAsync(process.execPath, [CLI, 'serve', '--port', '0', '--data', dataDir, '--dependency-timeout-ms', '3000', ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    }).then(
      () => assert.fail('serve started'),
      (error: { code?: number; stderr?: string }) => error,
    );
    assert.equal(result.code, 1, result.stderr);
    assert.doesNotMatch(result.stderr ?? '', /\n\s+at /, 'a message, not a stack trace');
    return result.stderr ?? '';
  }

  it('PostgreSQL on a closed port', async () => {
    const port = await closedPort();
    const stderr = await serveFails(['--database-url', `postgres://datafiles:hunter2secret@127.0.0.1:${port}/files`]);
    assert.match(stderr, new RegExp(`^datafiles: cannot use PostgreSQL at 127\\.0\\.0\\.1:${port} \\(database files, user datafiles\\): .*ECONNREFUSED`, 'm'));
    assert.match(stderr, /Check that PostgreSQL is running and accepts TCP connections at that address/);
    assert.doesNotMatch(stderr, /hunter2secret/, 'the password is not printed');
  });

  it('S3 on a closed port', async () => {
    const port = await closedPort();
    const stderr = await serveFails(['--s3-endpoint', `http://127.0.0.1:${port}`, '--s3-bucket', 'datafiles-deploy-test'], {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'hunter2secret',
    });
    assert.match(
      stderr,
      new RegExp(`^datafiles: cannot use the S3 bucket "datafiles-deploy-test" at http://127\\.0\\.0\\.1:${port} \\(region us-east-1\\): .*ECONNREFUSED`, 'm'),
    );
    assert.match(stderr, /Check that the object store is running and answers at that endpoint/);
    assert.doesNotMatch(stderr, /hunter2secret/);
  });
});
