// A refusal about where the data lives (a data directory in use by another server, no database
// where an admin command looked): the CLI prints its message and exits with 1. Kept apart from
// dataDirectory.ts so that the CLI's entry point can know it without loading SQLite.
export class DataDirectoryError extends Error {
  override name = 'DataDirectoryError';
}
