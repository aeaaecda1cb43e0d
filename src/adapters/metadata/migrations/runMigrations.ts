// Runs a dialect's numbered migrations with Kysely's Migrator. The list is static (see each
// dialect's index.ts); the callers hold the cross-process lock around this.
import { Migrator, type Kysely, type Migration } from 'kysely';

export async function migrateToLatest(options: {
  /** Any database type: migrations describe tables, not query them (Kysely's own Migration takes Kysely<any>). */
  db: Kysely<any>;
  migrations: Record<string, Migration>;
  /** Where Kysely keeps its own bookkeeping tables; PostgreSQL passes the store's schema. */
  migrationTableSchema?: string;
}): Promise<void> {
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
