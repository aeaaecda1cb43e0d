// `datafiles verify [--repair]`: checks every stored revision's bytes against its size and hashes,
// and the stores for orphans (src/core/verification/verifier.ts; docs/decisions.md 105-107).
// It opens the stores like the admin commands (never creating a database; docs/decisions.md 47)
// and never takes the data directory's lock, so it runs beside `datafiles serve`.
// Output: a JSON report on stdout (a summary on a terminal, unless --json), a progress bar on a
// terminal's stderr; exit status 0 when all is well, 1 when anything was found (also after a
// repair: what was corrupt stays lost), 2 for a usage error.
import { setTimeout as sleep } from 'node:timers/promises';
import { localHasher } from '../adapters/hashing/localHasher.js';
import { ConfigError, parseStorageConfig, STORAGE_OPTIONS, type OptionTable } from '../config.js';
import { systemClock } from '../core/ports/clock.js';
import { verifyStores, type Finding, type VerifyReport } from '../core/verification/verifier.js';
import { openBlobInventory, openBlobStore } from '../server/openStores.js';
import { openExistingMetadataStore } from './adminCommands.js';
import type { CommandIo } from './io.js';
import { optionsHelp, parseCommand, UsageError } from './options.js';
import { createProgress } from './progress.js';

export const VERIFY_OPTIONS: OptionTable = {
  'max-mib-per-second': { env: 'DATAFILES_VERIFY_MAX_MIB_PER_SECOND', description: 'read at most this many MiB/s (0: no cap)', default: '0' },
  'grace-seconds': {
    env: 'DATAFILES_VERIFY_GRACE_SECONDS',
    description: 'leave alone blobs, staged uploads and commits changed within this many seconds (uploads in flight)',
    default: '3600',
  },
  'list-limit': { env: 'DATAFILES_VERIFY_LIST_LIMIT', description: 'entries listed per kind of finding (counts are always exact)', default: '1000' },
};

const FLAGS = {
  repair: 'delete orphans and stray staged uploads; mark corrupt and missing revisions so they are never served',
  json: 'print the JSON report also on a terminal',
};

const USAGE = `Usage: datafiles verify [--repair] [--max-mib-per-second N] [--data DIR | --database-url URL …]

Reads every stored revision's bytes and compares their size, MD5 and SHA-256 with the metadata;
reports missing and corrupt bytes, bytes no revision names (orphans), staged uploads no session
names and sessions stuck in COMMITTING. Runs beside a live server. Exit status 1 when anything was found.
`;

function numberOption(values: Record<string, string | undefined>, env: CommandIo['env'], name: string, min: number): number {
  const spec = VERIFY_OPTIONS[name];
  const fromEnv = env[spec.env];
  const text = values[name] ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined) ?? spec.default!;
  const value = Number(text);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || !Number.isFinite(value) || value < min)
    throw new ConfigError(`--${name} (${spec.env}) must be a number of at least ${min}; got "${text}"`);
  return value;
}

export async function verifyCommand(args: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommand(args, { ...STORAGE_OPTIONS, ...VERIFY_OPTIONS }, FLAGS);
  if (parsed.help) {
    io.out(`${USAGE}\nOptions:\n${optionsHelp({ ...STORAGE_OPTIONS, ...VERIFY_OPTIONS }, FLAGS)}\n`);
    return 0;
  }
  if (parsed.positionals.length > 0) throw new UsageError(`verify takes no arguments\n\n${USAGE}`);
  const mibPerSecond = numberOption(parsed.values, io.env, 'max-mib-per-second', 0);
  const graceSeconds = numberOption(parsed.values, io.env, 'grace-seconds', 0);
  const listLimit = Math.floor(numberOption(parsed.values, io.env, 'list-limit', 1));
  const config = parseStorageConfig(parsed.values, io.env);

  const metadata = await openExistingMetadataStore(config);
  const blobs = await openBlobStore(config).catch(async (error: unknown) => {
    await metadata.close();
    throw error;
  });
  const inventory = await openBlobInventory(config);
  const totals = await metadata.verification.totals();
  const progress = createProgress({ label: 'verify', totalBytes: totals.bytes, enabled: io.isTty });
  let report: VerifyReport;
  try {
    report = await verifyStores(
      { metadata: metadata.verification, blobs, inventory, hasher: localHasher, clock: systemClock, sleep: (ms) => sleep(ms) },
      {
        repair: parsed.flags.repair ?? false,
        maxBytesPerSecond: mibPerSecond > 0 ? mibPerSecond * 1024 * 1024 : undefined,
        graceMs: graceSeconds * 1000,
        listLimit,
        onProgress: ({ bytesRead }) => progress.update(bytesRead),
      },
    );
  } finally {
    progress.stop();
    inventory.close?.();
    await Promise.allSettled([metadata.close(), blobs.close()]);
  }
  io.out(io.isTty && !parsed.flags.json ? summary(report) : `${JSON.stringify(report)}\n`);
  return report.ok ? 0 : 1;
}

function summary(report: VerifyReport): string {
  const lines = [
    `${report.ok ? 'OK' : 'PROBLEMS FOUND'}: ${report.revisionsChecked} revisions, ${report.blobsChecked} blobs, ${report.bytesRead} bytes read in ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  const kinds: Array<[string, Finding<object>]> = [
    ['missing bytes', report.missing],
    ['corrupt bytes', report.corrupt],
    ['unreadable blobs', report.unreadable],
    ['orphaned blobs', report.orphans],
    ['staged uploads of no session', report.strayUploads],
    ['sessions stuck in COMMITTING', report.stuckCommitting],
  ];
  for (const [label, found] of kinds) {
    if (found.count === 0) continue;
    lines.push(`${label}: ${found.count}`, ...found.items.map((item) => `  ${JSON.stringify(item)}`));
  }
  if (!report.ok && !report.repaired)
    lines.push('Run again with --repair to remove orphans and mark corrupt revisions (see the README, "Verifying your data").');
  return `${lines.join('\n')}\n`;
}
