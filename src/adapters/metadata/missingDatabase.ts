// docs/decisions.md 47: only `datafiles serve` creates a metadata database. A store opened with
// `create: false` (the admin commands) refuses a database that does not exist yet, or that has no
// datafiles tables, instead of creating or migrating one in the wrong place.
import { DEFAULT_MIGRATION_TABLE } from 'kysely';

/** Thrown by the store openers when `create: false` and there is no datafiles database there. */
export class MissingDatabaseError extends Error {
  override name = 'MissingDatabaseError';
}

/** The table whose presence tells that datafiles' migrations have run on a database (Kysely's own). */
export const MIGRATION_TABLE = DEFAULT_MIGRATION_TABLE;
