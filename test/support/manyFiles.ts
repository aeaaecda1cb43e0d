// Many files, fast (the files view's test and benchmark: test/ui-files.test.ts,
// bench/ui/filesView.ts). Uploading 10,000 files one by one takes minutes on a loaded machine
// (2,000 took 35 s), so a few are uploaded through the SDK (real bytes, hashes and blobs) and the
// rest are copies of them: new file rows naming the same blobs, as the copy operation makes them
// (docs/decisions.md 83), written with the metadata adapter's table types into the database the
// server runs on (its SQLite file, in WAL mode, or its PostgreSQL database), a thousand per
// transaction, while the server serves.
import { createClient } from '@datafiles/sdk';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import { ImmediateTransactionSqliteDialect } from '../../src/adapters/metadata/immediateTransactionSqliteDialect.js';
import { kyselySqliteDatabase } from '../../src/adapters/metadata/kyselySqliteDatabase.js';
import pg from 'pg';
import type { MetadataDatabase } from '../../src/adapters/metadata/schema.js';
import { SQLITE_FILE } from '../../src/server/openStores.js';
import type { TestServer } from './server.js';

const TYPES = ['text/csv', 'application/json', 'text/plain', 'image/png', 'application/pdf'];
const TEMPLATES = 10;
const BATCH = 1000;

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
    // Set-based, a thousand files a statement: the rows insertOwnedFile (revisionRows.ts) writes for
    // one file (the file, its revision, the file's current revision, the owner's entry), for many.
    for (let first = uploaded; first < count; first += BATCH) {
      const indexes = Array.from({ length: Math.min(BATCH, count - first) }, (_unused, offset) => first + offset);
      await db.transaction().execute(async (trx) => {
        const files = await trx
          .insertInto('files')
          .values(
            indexes.map((index) => ({
              name: name(index),
              description: '',
              owner_id: owner.id,
              public_access: false,
              created_at: start - index * 1000,
              current_revision_id: null,
            })),
          )
          .returning(['id', 'name'])
          .execute();
        const idByName = new Map(files.map((file) => [file.name, Number(file.id)]));
        for (const index of indexes) ids[index] = idByName.get(name(index))!;
        await trx
          .insertInto('revisions')
          .values(
            indexes.map((index) => {
              const template = templates[index % uploaded];
              return {
                file_id: ids[index],
                blob_key: template.blob_key,
                size_bytes: template.size_bytes,
                md5: template.md5,
                sha256: template.sha256,
                content_type: template.content_type,
                upload_user_id: owner.id,
                upload_time_millis: template.upload_time_millis,
                uploaded_at: start - index * 60_000,
                scan_state: template.scan_state,
              };
            }),
          )
          .execute();
        await trx
          .updateTable('files')
          .set((eb) => ({
            current_revision_id: eb
              .selectFrom('revisions')
              .select((inner) => inner.fn.max('revisions.id').as('id'))
              .whereRef('revisions.file_id', '=', 'files.id'),
          }))
          .where('current_revision_id', 'is', null)
          .where('owner_id', '=', owner.id)
          .execute();
        await trx
          .insertInto('file_permissions')
          .values(
            indexes.map((index) => ({
              file_id: ids[index],
              entity_type: 'USER' as const,
              entity_id: owner.id,
              grant_name: 'READ_WRITE_DELETE_SHARE_ADMIN' as const,
              pass: 'NONE' as const,
            })),
          )
          .execute();
      });
    }
  } finally {
    await db.destroy();
  }
  return ids;
}
