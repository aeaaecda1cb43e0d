// Revisions share bytes: a copy or a duplicate is a new revision row naming the same blob key
// (docs/decisions.md 83). A blob may be deleted only when its last row goes, and two deletes of
// the last two rows, at once, must neither both keep it (a leak) nor both free it (a lost file).
// So every delete locks all the rows naming its blob keys before deleting, and asks which keys are
// left unreferenced only after its own deletes, in the same transaction:
// - PostgreSQL: the second delete waits on the first's row locks; once the first commits, its
//   SELECT … FOR UPDATE skips the rows the first deleted, and its own check (READ COMMITTED: a new
//   snapshot per statement) sees them gone, so exactly the last one frees the blob.
// - SQLite: every write transaction holds the database's single write lock (BEGIN IMMEDIATE).
// A new reference is made only from a row of a file the copying transaction has locked, so it
// cannot race the delete of that row either (fileCopies.ts).
import type { Transaction } from 'kysely';
import type { MetadataDatabase } from './schema.js';
import { forUpdate, type SqlDialect } from './sqlDialect.js';

type Trx = Transaction<MetadataDatabase>;

/** Locks every revision row that names one of `blobKeys`, in id order (no deadlock between two). */
export async function lockBlobReferences(trx: Trx, dialect: SqlDialect, blobKeys: readonly string[]): Promise<void> {
  if (blobKeys.length === 0 || !dialect.supportsRowLocks) return;
  await forUpdate(trx.selectFrom('revisions').select('id').where('blob_key', 'in', blobKeys).orderBy('id'), dialect).execute();
}

/** Of `blobKeys`, those no revision row names any more (to delete after the commit). */
export async function unreferencedBlobKeys(trx: Trx, blobKeys: readonly string[]): Promise<string[]> {
  const distinct = [...new Set(blobKeys)];
  if (distinct.length === 0) return [];
  const rows = await trx.selectFrom('revisions').select('blob_key').distinct().where('blob_key', 'in', distinct).execute();
  const referenced = new Set(rows.map((row) => row.blob_key));
  return distinct.filter((key) => !referenced.has(key));
}
