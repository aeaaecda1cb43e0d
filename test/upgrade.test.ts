// Issue 16, item 3 (upgrades): a data directory and a PostgreSQL database made by release 0.1.0
// (test/fixtures/release-0.1.0, see test/fixtures/make-release-fixture.ts) open with this version,
// which migrates them; every file is then read back byte for byte with the old tokens, the old
// permissions hold, and the multipart session left open by 0.1.0 commits. A database migrated by
// a newer datafiles (a migration this one does not know) is refused with a clear message, and
// left exactly as it was (docs/decisions.md 56). Both backends: SQLite + disk and PostgreSQL.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { fixtureBytes, RELEASE_FIXTURE_DIR, type FixtureManifest } from './support/releaseFixture.js';
import { API, api, CLI, fileForm, startTestServer, type TestServer } from './support/server.js';

const execFileAsync = promisify(execFile);
const POSTGRES = process.env.DATAFILES_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const manifest = JSON.parse(await readFile(path.join(RELEASE_FIXTURE_DIR, 'manifest.json'), 'utf8')) as FixtureManifest;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The bytes of a revision as the fixture script made them ('a|b': two labels, the parts of one upload). */
/** The bytes of a revision as the fixture script made them ("a|b": the two parts of a multipart upload, 70 000 + 30 000 bytes). */
function expectedBytes(revision: { label: string; size: number }): Buffer {
  if (!revision.label.includes('|')) return fixtureBytes(revision.label, revision.size);
  const [first, second] = revision.label.split('|');
  return Buffer.concat([fixtureBytes(first, 70_000), fixtureBytes(second, 30_000)]);
}

interface OldStore {
  dataDir: string;
  /** Extra serve/admin options (the database URL on PostgreSQL). */
  args: string[];
  tokens: Record<string, string>;
  openSessionId: string;
  executedMigrations(): Promise<string[]>;
  /** Runs SQL on the store (to stage the scenario before the new version opens it). */
  exec(statement: string): Promise<void>;
  /** Something that changes if the store is written to. */
  fingerprint(): Promise<string>;
  release(): Promise<void>;
}

async function embeddedCopy(): Promise<OldStore> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'datafiles-upgrade-'));
  await cp(path.join(RELEASE_FIXTURE_DIR, 'embedded'), dataDir, { recursive: true });
  const file = path.join(dataDir, 'datafiles.sqlite');
  const withDb = <T>(work: (db: BetterSqlite3.Database) => T): T => {
    const db = new BetterSqlite3(file);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    dataDir,
    args: [],
    tokens: Object.fromEntries(manifest.users.map((user) => [user.name, user.token])),
    openSessionId: manifest.openSession.id,
    executedMigrations: async () => withDb((db) => db.prepare('select name from kysely_migration order by name').pluck().all() as string[]),
    exec: async (statement) => void withDb((db) => db.exec(statement)),
    fingerprint: async () =>
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    release: () => rm(dataDir, { recursive: true, force: true }),
  };
}

async function postgresCopy(): Promise<OldStore> {
  const database = `datafiles_upgrade_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = new URL(POSTGRES);
  url.pathname = `/${database}`;
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  // The dump is plain SQL (pg_dump --inserts, psql's \restrict lines removed): one simple query.
  await withClient(async (client) => void (await client.query(await readFile(path.join(RELEASE_FIXTURE_DIR, 'postgres.sql'), 'utf8'))));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'datafiles-upgrade-'));
  await cp(path.join(RELEASE_FIXTURE_DIR, 'postgres-files'), path.join(dataDir, 'files'), { recursive: true });
  return {
    dataDir,
    args: ['--database-url', url.toString()],
    tokens: manifest.postgres.tokens,
    openSessionId: manifest.postgres.openSessionId,
    executedMigrations: () =>
      withClient(async (client) => (await client.query('select name from public.kysely_migration order by name')).rows.map((row) => row.name as string)),
    exec: (statement) => withClient(async (client) => void (await client.query(statement))),
    // Every table with its columns and row count, and the migrator's lock row.
    fingerprint: () =>
      withClient(async (client) => {
        const { rows: columns } = await client.query(
          `select table_schema, table_name, column_name, data_type from information_schema.columns
           where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2, 3`,
        );
        const tables = [...new Set(columns.map((column) => `${column.table_schema}.${column.table_name}`))];
        const counts = [];
        for (const table of tables) counts.push([table, (await client.query(`select count(*)::int as n from ${table}`)).rows[0].n]);
        const lock = (await client.query('select * from public.kysely_migration_lock')).rows;
        return JSON.stringify({ columns, counts, lock });
      }),
    async release() {
      await rm(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: POSTGRES });
      await client.connect();
      await client.query(`drop database if exists ${database} with (force)`);
      await client.end();
    },
  };
}

const backends = { embedded: embeddedCopy, postgres: postgresCopy };
const FIXTURE_MIGRATIONS = ['001_initial', '002_part_md5_dropped', '003_session_parts_released'];

for (const [backend, copy] of Object.entries(backends)) {
  describe(`upgrade from 0.1.0 (${backend})`, () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    async function open(store: OldStore): Promise<TestServer> {
      const server = await startTestServer({
        dataDir: store.dataDir,
        adminToken: manifest.adminToken,
        backend: { args: store.args, env: {}, release: async () => {} },
      });
      cleanups.push(() => server.cleanup());
      return server;
    }

    it('the fixture is what 0.1.0 left: its three migrations, nothing newer', async () => {
      const store = await copy();
      cleanups.push(() => store.release());
      assert.equal(manifest.madeBy.version, '0.1.0');
      assert.deepEqual(await store.executedMigrations(), FIXTURE_MIGRATIONS);
    });

    it('opens, migrates, and serves every file byte for byte with the old tokens and permissions', async () => {
      const store = await copy();
      cleanups.push(() => store.release());
      // The session was left open when the fixture was made; make it as fresh as it was then, so
      // the sweep does not expire it (idle sessions expire after --session-ttl-ms, 7 days).
      const now = Date.now();
      await store.exec(`update upload_sessions set updated_at = ${now}, expires_at = ${now + DAY_MS} where state = 'OPEN'`);
      const server = await open(store);
      const token = (name: string) => store.tokens[name];

      for (const file of manifest.files) {
        const response = await api(server, token(file.owner), `${API}/${file.id}/details?expand=revisions`);
        assert.equal(response.status, 200, `${file.name}: ${await response.clone().text()}`);
        const details = (await response.json()) as {
          name: string;
          currentRevision: { dataFileRevisionId: number };
          revisions: { dataFileRevisionId: number }[];
        };
        assert.equal(details.name, file.name);
        assert.deepEqual(
          details.revisions.map((revision) => revision.dataFileRevisionId).sort((a, b) => a - b),
          file.revisions.map((revision) => revision.id),
        );
        assert.equal(details.currentRevision.dataFileRevisionId, file.revisions.at(-1)!.id);
        for (const revision of file.revisions) {
          const download = await api(server, token(file.owner), `${API}/${file.id}/revisions/${revision.id}`);
          assert.equal(download.status, 200, `${file.name} revision ${revision.id}`);
          const bytes = Buffer.from(await download.arrayBuffer());
          assert.ok(bytes.equals(expectedBytes(revision)), `${file.name} revision ${revision.id}: the bytes differ`);
        }
        const current = await api(server, token(file.owner), `${API}/${file.id}`);
        assert.ok(Buffer.from(await current.arrayBuffer()).equals(expectedBytes(file.revisions.at(-1)!)));
      }

      // The permissions 0.1.0 stored still decide: bob reads alice's report, carol (not named) does not.
      const report = manifest.files.find((file) => file.name === 'report.csv')!;
      const asBob = await api(server, token('bob'), `${API}/${report.id}`);
      assert.equal(asBob.status, 200);
      assert.ok(Buffer.from(await asBob.arrayBuffer()).equals(expectedBytes(report.revisions.at(-1)!)));
      const asCarolOnImage = manifest.files.find((file) => file.name === 'image.bin')!;
      const groupWrite = await api(server, token('carol'), `${API}/${asCarolOnImage.id}`, {
        method: 'PUT',
        body: fileForm(Buffer.from('written through the finance group')),
      });
      assert.equal(groupWrite.status, 200, 'carol writes the image through the finance group');
      const permissions = (await (await api(server, token('alice'), `${API}/${report.id}/permissions`)).json()) as {
        entries: { entityType: string; entityId: string; grant: string }[];
      };
      const bob = manifest.users.find((user) => user.name === 'bob')!;
      assert.ok(permissions.entries.some((entry) => entry.entityType === 'USER' && entry.entityId === String(bob.id) && entry.grant === 'READ'));
      const notes = manifest.files.find((file) => file.name === 'notes.txt')!;
      assert.equal((await api(server, token('alice'), `${API}/${notes.id}`)).status, 200, 'a public file stays public');
      for (const id of manifest.deletedFileIds) assert.equal((await api(server, token('bob'), `${API}/${id}/details`)).status, 404);

      // The session 0.1.0 left open, with its staged parts, commits into a file with those bytes.
      const commit = await api(server, token('alice'), `${API}/multipart/${store.openSessionId}/commit`, { method: 'POST' });
      assert.equal(commit.status, 200, await commit.clone().text());
      const { dataFileId } = (await commit.json()) as { dataFileId: number };
      const assembled = Buffer.from(await (await api(server, token('alice'), `${API}/${dataFileId}`)).arrayBuffer());
      assert.ok(assembled.equals(Buffer.concat(manifest.openSession.parts.map((part) => fixtureBytes(part.label, part.size)))));

      // And the instance keeps working: a new upload, by the admin whose token 0.1.0 stored.
      const upload = await api(server, manifest.adminToken, `${API}?name=after-upgrade.txt`, { method: 'POST', body: fileForm('new') });
      assert.equal(upload.status, 200);
      assert.equal(await server.stop(), 0);
      const migrations = await store.executedMigrations();
      assert.deepEqual(migrations.slice(0, FIXTURE_MIGRATIONS.length), FIXTURE_MIGRATIONS);
    });

    it('refuses a database migrated by a newer datafiles, naming it, and leaves it untouched', async () => {
      const store = await copy();
      cleanups.push(() => store.release());
      await store.exec(`insert into kysely_migration (name, timestamp) values ('999_from_the_future', '2030-01-01T00:00:00.000Z')`);
      const before = await store.fingerprint();
      const env = { ...process.env, DATAFILES_ADMIN_TOKEN: manifest.adminToken };
      for (const command of [
        ['serve', '--port', '0'],
        ['users', 'add', 'dave'],
      ]) {
        const result = await execFileAsync(process.execPath, [CLI, ...command, '--data', store.dataDir, ...store.args], { env, timeout: 60_000 }).then(
          () => assert.fail(`${command[0]} started on a newer database`),
          (error: { code?: number; stderr?: string }) => error,
        );
        assert.equal(result.code, 1, result.stderr);
        const where = backend === 'embedded' ? `the SQLite database ${path.join(store.dataDir, 'datafiles.sqlite')}` : 'PostgreSQL at 127.0.0.1:5432';
        assert.match(
          result.stderr ?? '',
          new RegExp(
            `^datafiles: ${where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*upgraded by a newer datafiles: it has migration 999_from_the_future, which this version does not know.*Nothing was changed`,
            'm',
          ),
        );
        assert.doesNotMatch(result.stderr ?? '', /\n\s+at /, 'a message, not a stack trace');
      }
      // Not one of this version's own migrations ran, and nothing else changed.
      assert.deepEqual(await store.executedMigrations(), [...FIXTURE_MIGRATIONS, '999_from_the_future']);
      assert.equal(await store.fingerprint(), before);
    });
  });
}
