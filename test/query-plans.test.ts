// docs/decisions.md 151: no hot query scans a whole table. Each backend gets an instance of
// 100,000 files, ~300,000 revisions, 1,000 users, 100 groups and 10,000 upload sessions
// (bench/scale/generate.ts, the bench's own generator) and fresh statistics (ANALYZE), with the
// planners' default costs, so that each chooses as it would on a real instance. Smaller tables
// would not do for PostgreSQL: below a few hundred pages a sequential scan is its cheapest plan
// even where an index serves, and the test would fail on plans that are right at scale.
// The store's own SQL is recorded while it does the hot operations (authenticate, details,
// access check, list pages, upload commit, revision and file delete, the orphan sweep's check, a session sweep pass),
// by wrapping the drivers' prepare/query, then explained with its parameters:
// - SQLite: EXPLAIN QUERY PLAN; a "SCAN <table>" line (with or without a covering index) fails.
// - PostgreSQL: EXPLAIN (FORMAT JSON) with the real parameters; a Seq Scan on a table fails.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { generatePostgres, generateSqlite, shapeFor } from '../bench/scale/generate.js';
import { openPostgresMetadataStore } from '../src/adapters/metadata/openPostgresMetadataStore.js';
import { openSqliteMetadataStore } from '../src/adapters/metadata/openSqliteMetadataStore.js';
import { openDiskBlobStore } from '../src/adapters/blob/diskBlobStore.js';
import { hashToken } from '../src/core/accounts/tokenFormat.js';
import { sweepSessions } from '../src/core/sessions/sessionSweep.js';
import type { MetadataStore } from '../src/core/ports/metadataStore.js';

const SHAPE = shapeFor(100_000);
const TOKEN = 'dfp_queryplans';
/** A user that owns files, reads shared ones and is in groups (see generate.ts for the shape). */
const USER = 57;
const TABLES = ['files', 'revisions', 'file_permissions', 'users', 'user_tokens', 'group_members', 'user_groups', 'upload_sessions'];

interface Recorded {
  sql: string;
  parameters: readonly unknown[];
  rangeAllowed?: boolean;
}

/** Runs `work` while recording every statement the store prepares (SQLite) or sends (PostgreSQL). */
async function recording(work: (admin: (list: () => Promise<unknown>) => Promise<void>) => Promise<void>): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const prepare = BetterSqlite3.prototype.prepare;
  const query = pg.Client.prototype.query;
  BetterSqlite3.prototype.prepare = function (this: BetterSqlite3.Database, source: string) {
    recorded.push({ sql: source, parameters: [] });
    return prepare.call(this, source);
  } as typeof prepare;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (typeof args[0] === 'string') recorded.push({ sql: args[0], parameters: Array.isArray(args[1]) ? args[1] : [] });
    return (query as (...all: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await work(async (list) => {
      const from = recorded.length;
      await list();
      for (const statement of recorded.slice(from)) statement.rangeAllowed = true;
    });
  } finally {
    BetterSqlite3.prototype.prepare = prepare;
    pg.Client.prototype.query = query;
  }
  return recorded.filter(({ sql }) => /^\s*(select|insert|update|delete|with)\b/i.test(sql));
}

/** The hot operations, as the services call them. */
async function hotOperations(store: MetadataStore, admin: (list: () => Promise<unknown>) => Promise<void>): Promise<void> {
  const credential = await store.accounts.findCredential(hashToken(TOKEN));
  assert.ok(credential, 'the token is found');
  const groupIds = credential.groupIds;
  assert.ok(groupIds.length > 0, 'the user is in groups');
  const caller = { userId: USER, groupIds, isAdmin: false, ownedOnly: false };
  const firstPage = await store.files.listReadableFiles({ ...caller, limit: 100 });
  assert.ok(firstPage.length > 50, `the user sees files (${firstPage.length})`);
  await store.files.listReadableFiles({ ...caller, limit: 100, afterId: firstPage.at(-1)!.file.id });
  await store.files.listReadableFiles({ ...caller, limit: 100, offset: 100 });
  await store.files.listReadableFiles({ ...caller, ownedOnly: true, limit: 100, afterId: 100 });
  await store.files.listReadableFiles({ ...caller, ownerId: 3, limit: 100 });
  // docs/decisions.md 180: the web interface's "Shared with me".
  await store.files.listReadableFiles({ ...caller, sharedOnly: true, limit: 100, afterId: 100 });
  await store.files.listReadableFiles({ ...caller, ids: [5, 500, 5000] });
  await admin(() => store.files.listReadableFiles({ ...caller, isAdmin: true, limit: 100, afterId: 10_000 }));
  await store.files.listRevisions(firstPage.map(({ file }) => file.id));
  const fileId = 12_345;
  const details = await store.files.getFileWithRevision(fileId);
  assert.ok(details);
  await store.permissions.entriesFor({ fileId, userId: USER, groupIds });
  await store.permissions.getPermissions(fileId);
  await store.files.getRevision({ fileId, revisionId: details.currentRevision.id });
  await store.accounts.usageOf(USER);
  const revision = {
    blobKey: randomBytes(16).toString('hex'),
    sizeBytes: 4,
    md5: 'D41D8CD98F00B204E9800998ECF8427E',
    sha256: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    contentType: 'text/plain',
    uploadUserId: USER,
    uploadTimeMillis: 1,
    uploadedAt: 1_700_000_000_000,
    scanState: 'NOT_SCANNED' as const,
  };
  const created = await store.files.createFile({ name: 'new.txt', description: '', ownerId: USER, publicAccess: false, createdAt: 1, revision });
  const second = await store.files.addRevision({ fileId: created.file.id, revision: { ...revision, blobKey: randomBytes(16).toString('hex') } });
  await store.files.deleteRevision({ fileId: created.file.id, revisionId: created.currentRevision.id });
  await store.files.deleteRevision({ fileId: created.file.id, revisionId: second.id });
  await store.files.deleteFile(fileId);
  await store.files.referencedBlobKeys([details.currentRevision.blobKey, randomBytes(16).toString('hex')]);
  // The session sweep's pass when nothing is due (every minute on every server).
  const root = await mkdtemp(path.join(os.tmpdir(), 'datafiles-plans-blobs-'));
  const blobs = await openDiskBlobStore({ root });
  try {
    await sweepSessions({ metadata: store, blobs, now: Date.now(), closedGraceMs: 60_000, commitLeaseMs: 120_000 });
  } finally {
    await blobs.close();
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * A full scan ("SCAN t"), or a walk of an index range bounded only by an inequality ("SEARCH t
 * USING … (id>?)"): in id order from the page's start, it reads every row until the page is full,
 * whether it keeps it or not (what a list did before files_public). Only the admin's list may walk
 * a range: it keeps every row it reads.
 */
function sqliteScans(database: BetterSqlite3.Database, statement: Recorded): string[] {
  // Plans do not depend on the values here (no STAT4): every parameter is bound to null.
  const parameters = Array.from({ length: statement.sql.split('?').length - 1 }, () => null);
  const plan = database.prepare(`explain query plan ${statement.sql}`).all(...parameters) as { detail: string }[];
  const tables = new Set([...TABLES, 'f', 'r', 'e']);
  return plan
    .map((row) => row.detail)
    .filter((detail) => {
      const [, kind, table, condition] = /^(SCAN|SEARCH) (\w+)(?:.*\((.*)\))?/.exec(detail) ?? [];
      if (!tables.has(table ?? '')) return false;
      return kind === 'SCAN' || (!statement.rangeAllowed && condition !== undefined && !condition.includes('='));
    });
}

/** A Seq Scan, or an index walked by an inequality alone (or not bounded at all) while a filter drops rows. */
async function postgresScans(client: pg.Client, statement: Recorded): Promise<string[]> {
  const { rows } = await client.query(`explain (format json) ${statement.sql}`, [...statement.parameters]);
  const scans: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    const table = String(node['Relation Name']);
    const type = String(node['Node Type']);
    if (TABLES.includes(table)) {
      if (type === 'Seq Scan') scans.push(`Seq Scan on ${table}`);
      const condition = node['Index Cond'] === undefined ? '' : String(node['Index Cond']);
      if (type.startsWith('Index') && node.Filter !== undefined && !condition.includes(' = ')) scans.push(`${type} on ${table} filtering (${condition})`);
    }
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0].Plan);
  return scans;
}

function assertNoScans(found: { sql: string; scans: string[] }[], statementCount: number): void {
  assert.ok(statementCount >= 20, `the hot operations ran their statements (${statementCount})`);
  const scanning = found.filter(({ scans }) => scans.length > 0);
  assert.deepEqual(
    scanning.map(({ sql, scans }) => `${scans.join(', ')}: ${sql}`),
    [],
  );
}

const tokens = [{ userId: USER, tokenHash: hashToken(TOKEN) }];

describe('query plans: no hot query scans a table (docs/decisions.md 151)', () => {
  describe('SQLite', () => {
    let directory: string;
    before(async () => {
      directory = await mkdtemp(path.join(os.tmpdir(), 'datafiles-plans-'));
    });
    after(() => rm(directory, { recursive: true, force: true }));

    it('every statement of the hot operations is answered from an index', async () => {
      const file = path.join(directory, 'plans.sqlite');
      await (await openSqliteMetadataStore({ path: file })).close();
      generateSqlite(file, SHAPE, tokens);
      const store = await openSqliteMetadataStore({ path: file });
      let statements: Recorded[];
      try {
        statements = await recording((admin) => hotOperations(store, admin));
      } finally {
        await store.close();
      }
      const database = new BetterSqlite3(file, { readonly: true });
      try {
        assertNoScans(
          statements.map((statement) => ({ sql: statement.sql, scans: sqliteScans(database, statement) })),
          statements.length,
        );
        // The check can fail: a query with no index to serve it is reported.
        assert.deepEqual(sqliteScans(database, { sql: 'select id from files where name = ?', parameters: [] }), ['SCAN files']);
      } finally {
        database.close();
      }
    });
  });

  describe('PostgreSQL', () => {
    const adminUrl = process.env.DATAFILES_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const name = `datafiles_plans_${randomBytes(6).toString('hex')}`;
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    before(() => admin(`create database ${name}`));
    after(() => admin(`drop database if exists ${name} with (force)`));

    it('every statement of the hot operations is answered from an index', async () => {
      await (await openPostgresMetadataStore({ connectionString: url.toString() })).close();
      await generatePostgres(url.toString(), SHAPE, tokens);
      const store = await openPostgresMetadataStore({ connectionString: url.toString() });
      let statements: Recorded[];
      try {
        statements = await recording((admin) => hotOperations(store, admin));
      } finally {
        await store.close();
      }
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const found: { sql: string; scans: string[] }[] = [];
        for (const statement of statements) found.push({ sql: statement.sql, scans: await postgresScans(client, statement) });
        assertNoScans(found, statements.length);
        assert.deepEqual(await postgresScans(client, { sql: 'select id from files where name = $1', parameters: ['x'] }), ['Seq Scan on files']);
      } finally {
        await client.end();
      }
    });
  });
});
