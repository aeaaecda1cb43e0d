// `datafiles backup DEST` and `datafiles restore SRC --data DIR` for the embedded store (SQLite +
// local disk; src/server/embeddedBackup.ts, docs/decisions.md 108-109). Backup runs beside a live
// server and takes no lock. PostgreSQL and S3 are backed up with their own tools (the README,
// "Backups"); `datafiles verify` is the check after any restore. Prints one JSON line.
import { parseStorageConfig, STORAGE_OPTIONS, type StorageConfig } from '../config.js';
import { systemClock } from '../core/ports/clock.js';
import { DataDirectoryError } from '../server/dataDirectoryError.js';
import { backupDataDirectory, restoreDataDirectory } from '../server/embeddedBackup.js';
import type { CommandIo } from './io.js';
import { optionsHelp, parseCommand, UsageError } from './options.js';

const USAGE = {
  backup:
    "Usage: datafiles backup DEST [--data DIR]\n\nCopies the data directory's database (a consistent snapshot) and the blobs it names into DEST (new or empty), while the server runs.\n",
  restore:
    'Usage: datafiles restore SRC --data DIR\n\nRebuilds a data directory DIR (new or empty) from the backup SRC; run "datafiles verify --data DIR" after.\n',
};

function embeddedOnly(config: StorageConfig, command: string): void {
  if (config.databaseUrl || config.s3) {
    throw new DataDirectoryError(
      `"datafiles ${command}" covers the embedded store (SQLite + local disk). With PostgreSQL or S3, back up the database with pg_dump or ` +
        'point-in-time recovery and the bucket with versioning; see the README, "Backups", and run "datafiles verify" after a restore.',
    );
  }
}

export async function backupCommand(command: 'backup' | 'restore', args: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommand(args, STORAGE_OPTIONS);
  if (parsed.help) {
    io.out(`${USAGE[command]}\nOptions:\n${optionsHelp(STORAGE_OPTIONS)}\n`);
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UsageError(USAGE[command]);
  if (command === 'restore' && parsed.values.data === undefined && !io.env.DATAFILES_DATA_DIR)
    throw new UsageError(`restore needs --data DIR (or DATAFILES_DATA_DIR): the data directory to create\n\n${USAGE.restore}`);
  const config = parseStorageConfig(parsed.values, io.env);
  embeddedOnly(config, command);
  const [location] = parsed.positionals;
  const result =
    command === 'backup'
      ? await backupDataDirectory({ dataDir: config.dataDir, destination: location, clock: systemClock })
      : await restoreDataDirectory({ source: location, dataDir: config.dataDir });
  io.out(`${JSON.stringify(result)}\n`);
  return 0;
}
