// Admin commands for virus scanning (docs/decisions.md 85), on the stores directly, also while
// servers run on them:
//   datafiles scan status [--file ID]            → queue depth, counts by state, clamd's version;
//                                                   with --file, each revision's scan record
//   datafiles scan rescan (--file ID | --all)    → {"queued":N}: those revisions PENDING again
import { parseArgs } from 'node:util';
import { parseStorageConfig, STORAGE_OPTIONS } from '../config.js';
import { createClamdScanner } from '../adapters/scanning/clamd.js';
import { systemClock } from '../core/ports/clock.js';
import type { MetadataStore } from '../core/ports/metadataStore.js';
import { parseClamdAddress, SCAN_OPTIONS } from '../scanConfig.js';
import { openExistingMetadataStore } from './adminCommands.js';
import type { CommandIo } from './io.js';
import { optionsHelp, UsageError } from './options.js';

const USAGE = `Usage:
  datafiles scan status [--file ID] [--clamd tcp://HOST:PORT | unix:/path]
  datafiles scan rescan (--file ID | --all)
  [--data DIR | --database-url URL]

status: scan queue depth, revisions by scan state, and (with --clamd or DATAFILES_CLAMD) clamd's
engine and signature version; with --file, each revision's scan (state, signature, reason, time,
engine). rescan: makes a file's revisions, or every revision, PENDING again; running servers
with --clamd scan them in the background, newest first.`;

const RESCAN_BATCH = 1000;

export async function scanCommand(args: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || (name !== 'status' && name !== 'rescan')) {
    if (name !== undefined && name !== '--help' && name !== '-h') throw new UsageError(`unknown command "scan ${name}"\n\n${USAGE}`);
    io.out(`${USAGE}\n\nOptions:\n${optionsHelp(STORAGE_OPTIONS)}\n`);
    return name === undefined ? 2 : 0;
  }
  const options: Record<string, { type: 'string' | 'boolean' }> = { file: { type: 'string' }, all: { type: 'boolean' }, clamd: { type: 'string' } };
  for (const option of Object.keys(STORAGE_OPTIONS)) options[option] = { type: 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const fileText = values.file;
  const fileId = typeof fileText === 'string' ? Number(fileText) : undefined;
  if (fileId !== undefined && (!Number.isSafeInteger(fileId) || fileId < 1)) throw new UsageError('--file takes a file id (a positive integer)');
  if (name === 'rescan' && (fileId === undefined) === (values.all !== true)) throw new UsageError(`scan rescan takes --file ID or --all\n\n${USAGE}`);
  const storage: Record<string, string | undefined> = {};
  for (const option of Object.keys(STORAGE_OPTIONS)) storage[option] = typeof values[option] === 'string' ? values[option] : undefined;
  const metadata = await openExistingMetadataStore(parseStorageConfig(storage, io.env));
  try {
    const clamdText = typeof values.clamd === 'string' ? values.clamd : io.env[SCAN_OPTIONS.clamd.env] || undefined;
    const result = name === 'status' ? await status(metadata, fileId, clamdText) : { queued: await rescan(metadata, fileId) };
    io.out(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await metadata.close();
  }
}

async function status(metadata: MetadataStore, fileId: number | undefined, clamdText: string | undefined): Promise<object> {
  const stats = await metadata.scans.stats(systemClock.now());
  const result: Record<string, unknown> = { queueDepth: stats.due, scanning: stats.leased, byState: stats.byState };
  if (clamdText !== undefined) {
    const address = parseClamdAddress(clamdText);
    if (!address) throw new UsageError('--clamd must be tcp://HOST:PORT or unix:/path/to/clamd.ctl');
    try {
      result.engine = await createClamdScanner({ address, timeoutMs: 5000 }).version();
    } catch (error) {
      result.engine = null;
      result.engineError = (error as Error).message;
    }
  }
  if (fileId !== undefined) {
    const revisions = (await metadata.files.listRevisions([fileId])).get(fileId) ?? [];
    if (revisions.length === 0) throw new UsageError(`no file with id ${fileId}`);
    result.revisions = await Promise.all(revisions.map((revision) => metadata.scans.getScan(revision.id)));
  }
  return result;
}

async function rescan(metadata: MetadataStore, fileId: number | undefined): Promise<number> {
  if (fileId !== undefined) {
    if (!(await metadata.files.getFile(fileId))) throw new UsageError(`no file with id ${fileId}`);
    return metadata.scans.rescan({ fileId, dueAt: systemClock.now(), limit: 100_000 });
  }
  // In batches, so that no single statement locks every revision at once.
  let total = 0;
  for (;;) {
    const queued = await metadata.scans.rescan({ dueAt: systemClock.now(), limit: RESCAN_BATCH });
    total += queued;
    if (queued < RESCAN_BATCH) return total;
  }
}
