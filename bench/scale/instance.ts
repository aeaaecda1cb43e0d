// A generated instance on one backend: a data directory (SQLite + disk) or a PostgreSQL database
// of its own (created here and dropped by release(); never the tests' databases) with disk blobs.
// The tables are created by datafiles' own migrations, then filled by generate.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { hashToken, newTokenSecret } from '../../src/core/accounts/tokenFormat.js';
import { openPostgresMetadataStore } from '../../src/adapters/metadata/openPostgresMetadataStore.js';
import { openSqliteMetadataStore } from '../../src/adapters/metadata/openSqliteMetadataStore.js';
import { SQLITE_FILE } from '../../src/server/openStores.js';
import { generatePostgres, generateSqlite, shapeFor, type Shape } from './generate.js';
import { now, seconds } from '../support/measure.js';

export type Backend = 'sqlite' | 'postgres';

export interface Instance {
  backend: Backend;
  shape: Shape;
  dataDir: string;
  /** `serve` options naming its stores (besides --data). */
  args: string[];
  /** Secrets for: the admin (user 1), the service account owning a tenth of the files (user 2), a typical user. */
  tokens: { admin: string; service: string; user: string };
  typicalUserId: number;
  generateSeconds: number;
  /** A direct connection string (PostgreSQL) or SQLite file, for the sweeps and plans measured in-process. */
  database: string;
  release(): Promise<void>;
}

const adminUrl = () => process.env.BENCH_POSTGRES_URL ?? process.env.DATAFILES_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createInstance(input: { backend: Backend; files: number; scratch: string }): Promise<Instance> {
  const shape = shapeFor(input.files);
  const dataDir = await mkdtemp(path.join(input.scratch, `scale-${input.backend}-${input.files}-`));
  const secrets = { admin: newTokenSecret(), service: newTokenSecret(), user: newTokenSecret() };
  // A user in the middle of the id range: owns about F / 100 files like most (a user whose offset
  // is a multiple of 10 would own none: those files go to the service account), sees the shared
  // and public ones.
  const typicalUserId = 2 + Math.floor(shape.users / 2) + 3;
  const tokens = [
    { userId: 1, tokenHash: hashToken(secrets.admin) },
    { userId: 2, tokenHash: hashToken(secrets.service) },
    { userId: typicalUserId, tokenHash: hashToken(secrets.user) },
  ];
  const started = now();
  if (input.backend === 'sqlite') {
    const file = path.join(dataDir, SQLITE_FILE);
    await (await openSqliteMetadataStore({ path: file, create: true })).close();
    generateSqlite(file, shape, tokens);
    return {
      backend: 'sqlite',
      shape,
      dataDir,
      args: [],
      tokens: secrets,
      typicalUserId,
      generateSeconds: seconds(started),
      database: file,
      release: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `datafiles_scale_${input.files}_${process.pid}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const connectionString = url.toString();
  try {
    await (await openPostgresMetadataStore({ connectionString, create: true })).close();
    await generatePostgres(connectionString, shape, tokens);
  } catch (error) {
    await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    backend: 'postgres',
    shape,
    dataDir,
    args: ['--database-url', connectionString],
    tokens: secrets,
    typicalUserId,
    generateSeconds: seconds(started),
    database: connectionString,
    async release() {
      await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
