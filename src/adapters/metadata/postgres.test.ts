// The PostgreSQL store: the shared MetadataStore contract, each test in a throwaway schema, then
// what only the scale-out store promises: servers starting together, and an unreachable or lost
// database answered as DEPENDENCY_UNAVAILABLE.
//
// Needs a PostgreSQL server: DATAFILES_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test.
// If none answers, the suite fails and says how to point it at one: a skipped suite proves nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, it } from 'node:test';
import pg from 'pg';
import { assertRejectsWithCode, createUser } from './contract/support.js';
import { metadataStoreContract } from './metadataStore.contract.js';
import { openPostgresMetadataStore } from './openPostgresMetadataStore.js';

const connectionString = process.env.DATAFILES_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// Fails the whole file at once, with the reason, when no PostgreSQL answers.
await withClient(async () => undefined).catch((error: unknown) => {
  throw new Error(`PostgreSQL is not reachable at ${connectionString} (set DATAFILES_TEST_POSTGRES_URL): ${String(error)}`);
});

function throwawaySchemaName(): string {
  return `t_${randomBytes(8).toString('hex')}`;
}

async function dropSchema(schema: string): Promise<void> {
  await withClient((client) => client.query(`drop schema if exists ${schema} cascade`));
}

/** A TCP port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP proxy in front of the real server, which a test can cut like a network failure. */
async function startCuttableProxy(): Promise<{ connectionString: string; cut: () => Promise<void> }> {
  const target = new URL(connectionString);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(connectionString);
  proxied.hostname = '127.0.0.1';
  proxied.port = String((server.address() as net.AddressInfo).port);
  return {
    connectionString: proxied.href,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe('PostgreSQL', () => {
  metadataStoreContract('PostgreSQL', async () => {
    const schema = throwawaySchemaName();
    const store = await openPostgresMetadataStore({ connectionString, schema, connectTimeoutMs: 5000 });
    return { store, cleanup: () => dropSchema(schema) };
  });

  describe('PostgreSQL metadata store', () => {
    it('several servers migrating the same fresh schema at once all succeed and share it', async () => {
      const schema = throwawaySchemaName();
      try {
        const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresMetadataStore({ connectionString, schema })));
        try {
          const ada = await createUser(stores[0], 'ada');
          for (const store of stores) assert.deepEqual(await store.principals.findUserByName('ada'), ada);
        } finally {
          await Promise.all(stores.map((store) => store.close()));
        }
      } finally {
        await dropSchema(schema);
      }
    });

    it('reopening a migrated schema keeps its data', async () => {
      const schema = throwawaySchemaName();
      try {
        const first = await openPostgresMetadataStore({ connectionString, schema });
        const ada = await createUser(first, 'ada');
        await first.close();
        const second = await openPostgresMetadataStore({ connectionString, schema });
        try {
          assert.deepEqual(await second.principals.getUser(ada.id), ada);
        } finally {
          await second.close();
        }
      } finally {
        await dropSchema(schema);
      }
    });

    it('keeps every table in its own schema, apart from other stores', async () => {
      const schemas = [throwawaySchemaName(), throwawaySchemaName()];
      try {
        const [one, two] = await Promise.all(schemas.map((schema) => openPostgresMetadataStore({ connectionString, schema })));
        try {
          await createUser(one, 'ada');
          assert.equal(await one.principals.countUsers(), 1);
          assert.equal(await two.principals.countUsers(), 0);
        } finally {
          await Promise.all([one.close(), two.close()]);
        }
        const tables = await withClient((client) =>
          client.query<{ table_schema: string; count: string }>(
            `select table_schema, count(*) from information_schema.tables where table_schema = any($1) group by table_schema order by table_schema`,
            [schemas],
          ),
        );
        assert.equal(tables.rows.length, 2);
      } finally {
        await Promise.all(schemas.map(dropSchema));
      }
    });

    it('refuses a schema name that is not a plain lower-case identifier', async () => {
      await assert.rejects(openPostgresMetadataStore({ connectionString, schema: 'Robert"; drop table users; --' }), /schema must match/);
    });

    it('a database that refuses connections is DEPENDENCY_UNAVAILABLE, quickly', async () => {
      const unreachableUrl = new URL(connectionString);
      unreachableUrl.hostname = '127.0.0.1';
      unreachableUrl.port = String(await closedPort());
      const started = Date.now();
      await assertRejectsWithCode(openPostgresMetadataStore({ connectionString: unreachableUrl.href, connectTimeoutMs: 1000 }), 'DEPENDENCY_UNAVAILABLE');
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    });

    it('a database lost while running is DEPENDENCY_UNAVAILABLE on the next call', async () => {
      const schema = throwawaySchemaName();
      const proxy = await startCuttableProxy();
      try {
        const store = await openPostgresMetadataStore({ connectionString: proxy.connectionString, schema, connectTimeoutMs: 1000 });
        try {
          await createUser(store, 'ada');
          await proxy.cut();
          await assertRejectsWithCode(store.principals.findUserByName('ada'), 'DEPENDENCY_UNAVAILABLE');
          await assertRejectsWithCode(store.ping(), 'DEPENDENCY_UNAVAILABLE');
        } finally {
          await store.close();
        }
      } finally {
        await dropSchema(schema);
      }
    });
  });
});
