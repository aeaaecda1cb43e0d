// Many files, fast (the files view's test and benchmark: test/ui-files.test.ts,
// bench/ui/filesView.ts). Uploading 10,000 files one by one takes minutes on a loaded machine
// (2,000 took 35 s), so a few are uploaded through the SDK (real bytes, hashes and blobs) and the
// rest are copies of them: new file rows naming the same blobs, as the copy operation makes them
// (docs/decisions.md 83), written by the metadata adapter's own row code (insertOwnedFile) into the
// database the server runs on (its SQLite file, in WAL mode, or its PostgreSQL database), a few
// thousand per transaction, while the server serves.
import { createClient } from '@datafiles/sdk';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import { ImmediateTransactionSqliteDialect } from '../../src/adapters/metadata/immediateTransactionSqliteDialect.js';
import { kyselySqliteDatabase } from '../../src/adapters/metadata/kyselySqliteDatabase.js';
import pg from 'pg';
import { insertOwnedFile } from '../../src/adapters/metadata/revisionRows.js';
import type { MetadataDatabase } from '../../src/adapters/metadata/schema.js';
import { SQLITE_FILE } from '../../src/server/openStores.js';
import type { TestServer } from './server.js';

const TYPES = ['text/csv', 'application/json', 'text/plain', 'image/png', 'application/pdf'];
const TEMPLATES = 10;
const BATCH = 2000;

export interface ManyFilesOptions {
  /** The name of file i (0-based); default file-00001.csv… */
  name?: (index: number) => string;
}

export const defaultName = (index: number) => `file-${String(index + 1).padStart(5, '0')}.csv`;

/** `count` files owned by the token's user (ids in index order); the first ten are uploaded, the rest copy them. */
export async function createManyFiles(
  server: TestServer,
  owner: { id: number; token: string },
  count: number,
  options: ManyFilesOptions = {},
): Promise<number[]> {
  const name = options.name ?? defaultName;
  const client = createClient({ baseUrl: server.url, token: owner.token });
  const ids = new Array<number>(count);
  const uploaded = Math.min(count, TEMPLATES);
  await Promise.all(
    Array.from({ length: uploaded }, async (_unused, index) => {
      // Sizes from 1 byte to about 90 KiB, so that sorting by size means something.
      const body = new Blob(['x'.repeat(1 + index * index * 1000)], { type: TYPES[index % TYPES.length] });
      ids[index] = (await client.uploadFile(body, { name: name(index) })).dataFileId;
    }),
  );
  if (count === uploaded) return ids;
  const urlAt = server.backend.args.indexOf('--database-url');
  const db = new Kysely<MetadataDatabase>({
    dialect:
      urlAt < 0
        ? new ImmediateTransactionSqliteDialect({
            database: kyselySqliteDatabase(new BetterSqlite3(path.join(server.dataDir, SQLITE_FILE), { timeout: 30_000 })),
          })
        : new PostgresDialect({ pool: new pg.Pool({ connectionString: server.backend.args[urlAt + 1], max: 1 }) }),
  });
  try {
    const templates = await Promise.all(
      ids.slice(0, uploaded).map((id) => db.selectFrom('revisions').selectAll().where('file_id', '=', id).executeTakeFirstOrThrow()),
    );
    const start = Date.now();
    // Batches keep each write transaction short enough for the server's own writes to wait on.
    for (let first = uploaded; first < count; first += BATCH) {
      await db.transaction().execute(async (trx) => {
        for (let index = first; index < Math.min(count, first + BATCH); index += 1) {
          const template = templates[index % uploaded];
          const created = await insertOwnedFile(
            trx,
            { name: name(index), description: '', ownerId: owner.id, publicAccess: false, createdAt: start - index * 1000 },
            {
              blobKey: template.blob_key,
              sizeBytes: Number(template.size_bytes),
              md5: template.md5,
              sha256: template.sha256,
              contentType: template.content_type,
              uploadUserId: owner.id,
              uploadTimeMillis: Number(template.upload_time_millis),
              uploadedAt: start - index * 60_000,
              scanState: template.scan_state,
            },
          );
          ids[index] = created.file.id;
        }
      });
    }
  } finally {
    await db.destroy();
  }
  return ids;
}
