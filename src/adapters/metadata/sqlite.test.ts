// The SQLite store: the shared MetadataStore contract, then what only the embedded store
// promises: its file and directory, WAL, and sharing the file with another process (the admin
// CLI) while the server runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { createFile, createUser, newRevision } from './contract/support.js';
import { metadataStoreContract } from './metadataStore.contract.js';
import { openSqliteMetadataStore } from './openSqliteMetadataStore.js';

metadataStoreContract('SQLite', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'datafiles-metadata-'));
  const store = await openSqliteMetadataStore({ path: path.join(directory, 'metadata.sqlite') });
  return { store, cleanup: () => rm(directory, { recursive: true, force: true }) };
});

const storeModule = new URL('./openSqliteMetadataStore.ts', import.meta.url).href;

/**
 * Runs `body` in another Node process (as the admin CLI would be), with `store` opened on
 * `dbPath`. The process opens the store at `startAt` (epoch ms), so that several start together.
 */
function inAnotherProcess(dbPath: string, body: string, startAt = Date.now()): Promise<void> {
  const script = `
    const { openSqliteMetadataStore } = await import(${JSON.stringify(storeModule)});
    await new Promise((resolve) => setTimeout(resolve, ${startAt} - Date.now()));
    const store = await openSqliteMetadataStore({ path: process.env.DB_PATH });
    try { ${body} } finally { await store.close(); }
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DB_PATH: dbPath },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${code}: ${stderr}`))));
  });
}

describe('SQLite metadata store', () => {
  let directory: string;
  let dbPath: string;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'datafiles-metadata-'));
    dbPath = path.join(directory, 'nested', 'deeper', 'metadata.sqlite');
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('creates the directory of its file when missing', async () => {
    const store = await openSqliteMetadataStore({ path: dbPath });
    await store.close();
    assert.ok(existsSync(dbPath));
  });

  it('keeps the file in WAL mode, so the admin CLI can read while the server writes', async () => {
    const store = await openSqliteMetadataStore({ path: dbPath });
    await store.close();
    const raw = new BetterSqlite3(dbPath, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  it("':memory:' gives each store a private database", async () => {
    const one = await openSqliteMetadataStore({ path: ':memory:' });
    const two = await openSqliteMetadataStore({ path: ':memory:' });
    try {
      await createUser(one, 'ada');
      assert.equal(await one.principals.countUsers(), 1);
      assert.equal(await two.principals.countUsers(), 0);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('data survives closing and reopening, and migrations do not run twice', async () => {
    const first = await openSqliteMetadataStore({ path: dbPath });
    const owner = await createUser(first, 'ada');
    const created = await createFile(first, owner.id);
    await first.close();
    const second = await openSqliteMetadataStore({ path: dbPath });
    try {
      assert.deepEqual(await second.principals.findUserByName('ada'), owner);
      assert.deepEqual(await second.files.getFileWithRevision(created.file.id), created);
    } finally {
      await second.close();
    }
  });

  it('several processes opening a fresh file at the same moment all migrate it safely', async () => {
    const startAt = Date.now() + 3000; // after every process has loaded its code
    const names = ['one', 'two', 'three'];
    await Promise.all(
      names.map((name) => inAnotherProcess(dbPath, `await store.principals.createUser({ name: '${name}', isAdmin: false, createdAt: 1 });`, startAt)),
    );
    const store = await openSqliteMetadataStore({ path: dbPath });
    try {
      assert.equal(await store.principals.countUsers(), names.length);
    } finally {
      await store.close();
    }
  });

  it('another process can add revisions to the same file while this one does (BEGIN IMMEDIATE, busy_timeout)', async () => {
    const store = await openSqliteMetadataStore({ path: dbPath });
    try {
      const owner = await createUser(store, 'ada');
      const { file } = await createFile(store, owner.id);
      const rounds = 300;
      const revision = JSON.stringify(newRevision(owner.id));
      const theirs = inAnotherProcess(
        dbPath,
        `for (let i = 0; i < ${rounds}; i++) await store.files.addRevision({ fileId: ${file.id}, revision: { ...${revision}, blobKey: 'theirs-' + i } });`,
      );
      // Start only once the other process is writing, so that the two really overlap.
      while ((await store.files.referencedBlobKeys(['theirs-0'])).size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      for (let i = 0; i < rounds; i++) {
        await store.files.addRevision({ fileId: file.id, revision: newRevision(owner.id) });
      }
      await theirs;
      const revisions = (await store.files.listRevisions([file.id])).get(file.id) ?? [];
      assert.equal(revisions.length, 2 * rounds + 1);
      assert.equal((await store.files.getFile(file.id))?.currentRevisionId, revisions[0].id);
    } finally {
      await store.close();
    }
  });
});
