// Kysely's SQLite dialect, except that transactions start with BEGIN IMMEDIATE.
//
// A plain BEGIN is deferred: it takes the write lock only at its first write. When the server
// and an admin CLI command share the database file, two such transactions can both read and then
// both try to upgrade to writing; SQLite refuses one with SQLITE_BUSY at once, without waiting for
// busy_timeout, since waiting could deadlock. BEGIN IMMEDIATE takes the write lock up front, so a
// second writer simply waits (up to busy_timeout) for the first to finish.
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateTransactionSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }
}
