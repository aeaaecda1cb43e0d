// Runs a dialect's numbered migrations with Kysely's Migrator. The list is static (see each
// dialect's index.ts); the callers hold the cross-process lock around this.
import { DEFAULT_MIGRATION_TABLE, Migrator, type Kysely, type Migration } from 'kysely';

export { DEFAULT_MIGRATION_TABLE };
import { DomainError } from '../../../core/errors.js';

export async function migrateToLatest(options: {
  /** Any database type: migrations describe tables, not query them (Kysely's own Migration takes Kysely<any>). */
  db: Kysely<any>;
  migrations: Record<string, Migration>;
  /** Where Kysely keeps its own bookkeeping tables; PostgreSQL passes the store's schema. */
  migrationTableSchema?: string;
  /**
   * Whether that bookkeeping table exists yet: a cheap query of the dialect's own catalogue.
   * Without it, Kysely's introspection (which lists every table and column of the database).
   */
  migrationTableExists?: (db: Kysely<any>) => Promise<boolean>;
}): Promise<void> {
  await refuseNewerDatabase(options);
  const migrator = new Migrator({
    db: options.db,
    provider: { getMigrations: async () => options.migrations },
    migrationTableSchema: options.migrationTableSchema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error');
    const name = failed === undefined ? 'run' : `"${failed.migrationName}"`;
    throw new Error(`metadata migration ${name} failed`, { cause: error });
  }
}

/**
 * A database already migrated by a newer datafiles (it records a migration this one does not
 * know) is refused before anything is written to it: this version's queries may not match its
 * tables, and running an old version on it could corrupt what the newer one relies on. Kysely's
 * Migrator would refuse too, but after taking its lock (creating its tables if missing), and with
 * "corrupted migrations: previously executed migration … is missing", which tells an operator
 * nothing. Only reads here: the bookkeeping table, if it exists (docs/decisions.md 56).
 */
async function refuseNewerDatabase(options: Parameters<typeof migrateToLatest>[0]): Promise<void> {
  const { db, migrations, migrationTableSchema: schema } = options;
  const exists = options.migrationTableExists
    ? await options.migrationTableExists(db)
    : (await db.introspection.getTables({ withInternalKyselyTables: true })).some(
        (table) => table.name === DEFAULT_MIGRATION_TABLE && (schema === undefined || table.schema === schema),
      );
  if (!exists) return;
  const executed = await (schema === undefined ? db : db.withSchema(schema)).selectFrom(DEFAULT_MIGRATION_TABLE).select('name').orderBy('name').execute();
  const unknown = executed.map((row: { name: string }) => row.name).filter((name) => !Object.hasOwn(migrations, name));
  if (unknown.length === 0) return;
  const known = Object.keys(migrations).sort();
  throw new DomainError(
    'DATABASE_TOO_NEW',
    `the database was upgraded by a newer datafiles: it has migration${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, ` +
      `which this version does not know (it knows up to ${known.at(-1) ?? 'none'}). Nothing was changed. Run the newer ` +
      'datafiles (or a later one) on it, or restore the backup taken before that upgrade to go back.',
    { details: { unknownMigrations: unknown } },
  );
}
