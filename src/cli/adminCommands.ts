// Runs the admin commands (adminCommandTable.ts) on the stores directly, also while a server runs
// on them: `datafiles users|groups|tokens|audit COMMAND … [--data DIR | --database-url URL]`.
// They never create a data directory or a database (docs/decisions.md 47): only `serve` does.
import { MissingDatabaseError } from '../adapters/metadata/missingDatabase.js';
import {
  parseSignInConfig,
  parseStorageConfig,
  parseTokenConfig,
  SIGN_IN_OPTIONS,
  STORAGE_OPTIONS,
  TOKEN_OPTIONS,
  type OptionTable,
  type StorageConfig,
} from '../config.js';
import { AccountService } from '../core/accounts/accountService.js';
import { SignInService } from '../core/accounts/signInService.js';
import { TokenService } from '../core/accounts/tokenService.js';
import { AuditService } from '../core/audit/auditService.js';
import { PrincipalService } from '../core/principals/principalService.js';
import type { MetadataStore } from '../core/ports/metadataStore.js';
import { systemClock } from '../core/ports/clock.js';
import { DataDirectoryError } from '../server/dataDirectoryError.js';
import { openMetadataStore } from '../server/openStores.js';
import { ADMIN_COMMANDS, type AdminCommand, type AdminResult } from './adminCommandTable.js';
import type { CommandIo } from './io.js';
import { optionsHelp, parseCommand, UsageError } from './options.js';

export { ADMIN_COMMANDS };

const CONFIG_OPTIONS: OptionTable = { ...STORAGE_OPTIONS, ...TOKEN_OPTIONS, ...SIGN_IN_OPTIONS };

function commandHelp(command: AdminCommand): string {
  const own = Object.entries(command.options ?? {}).map(([name, description]) => `  --${name} VALUE  ${description}`);
  return `Usage: ${command.usage}\n\nOptions:\n${[...own, optionsHelp(CONFIG_OPTIONS, command.flags)].join('\n')}\n`;
}

export function adminHelp(group: string): string {
  const commands = ADMIN_COMMANDS[group];
  return `Usage:\n${Object.values(commands)
    .map((command) => `  ${command.usage}`)
    .join('\n')}\n\nEvery command takes --data DIR or --database-url URL.\n\nOptions:\n${optionsHelp(CONFIG_OPTIONS)}`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A list: a table for a person at a terminal, one JSON object per line for a program. */
export function formatResult(result: AdminResult, isTty: boolean): string {
  if ('one' in result) return `${JSON.stringify(result.one)}\n`;
  if (!isTty) return result.list.map((row) => `${JSON.stringify(row)}\n`).join('');
  if (result.list.length === 0) return '(none)\n';
  const rows = [result.columns, ...result.list.map((row) => result.columns.map((column) => cell(row[column])))];
  const widths = result.columns.map((_unused, column) => Math.max(...rows.map((row) => row[column].length)));
  return `${rows
    .map((row) =>
      row
        .map((text, column) => text.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export async function adminCommand(group: string, args: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = args;
  const command = name === undefined || !Object.hasOwn(ADMIN_COMMANDS[group], name) ? undefined : ADMIN_COMMANDS[group][name];
  if (!command) {
    if (name === undefined || name === '--help' || name === '-h') {
      io.out(`${adminHelp(group)}\n`);
      return name === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${group} ${name}"\n\n${adminHelp(group)}`);
  }
  const valueOptions: OptionTable = Object.fromEntries(
    Object.entries(command.options ?? {}).map(([option, description]) => [option, { env: '', description }]),
  );
  const parsed = parseCommand(rest, { ...CONFIG_OPTIONS, ...valueOptions }, command.flags);
  if (parsed.help) {
    io.out(commandHelp(command));
    return 0;
  }
  const [min, max] = typeof command.arity === 'number' ? [command.arity, command.arity] : command.arity;
  if (parsed.positionals.length < min || parsed.positionals.length > max) throw new UsageError(`usage: ${command.usage}`);
  const tokenPolicy = parseTokenConfig(parsed.values, io.env);
  const metadata = await openExistingMetadataStore(parseStorageConfig(parsed.values, io.env));
  try {
    // Audit events are log lines too (docs/decisions.md 66): here, JSON lines on stderr.
    const line = (level: string) => (object: object, msg: string) => io.err(`${JSON.stringify({ level, time: Date.now(), ...object, msg })}\n`);
    const audit = new AuditService({ metadata, clock: systemClock, log: { info: line('info'), error: line('error') } });
    const tokens = new TokenService({ metadata, clock: systemClock, policy: tokenPolicy, audit });
    const principals = new PrincipalService({ metadata, clock: systemClock, tokens, audit });
    const accounts = new AccountService({ metadata, clock: systemClock, principals, audit });
    const signIn = new SignInService({ metadata, clock: systemClock, tokens, policy: parseSignInConfig(parsed.values, io.env), audit });
    const result = await command.run({
      accounts,
      signIn,
      env: io.env,
      audit,
      clock: systemClock,
      positionals: parsed.positionals,
      values: parsed.values,
      flags: parsed.flags,
    });
    io.out(formatResult(result, io.isTty));
    return 0;
  } finally {
    await metadata.close();
  }
}

/**
 * The store the servers use, never a new one: run from the wrong directory, an admin command
 * used to create an empty database there and print a token that no server knew (401).
 */
export async function openExistingMetadataStore(config: StorageConfig): Promise<MetadataStore> {
  try {
    return await openMetadataStore(config, { create: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') {
      throw new DataDirectoryError(
        `cannot open the database in the data directory ${config.dataDir} (${(error as Error).message}). ` +
          'Its files are readable by their owner only: run admin commands as the user the server runs as.',
      );
    }
    if (!(error instanceof MissingDatabaseError)) throw error;
    const onlyServe = 'Admin commands never create one; "datafiles serve" does, on its first start.';
    if (config.databaseUrl) {
      throw new DataDirectoryError(
        `no datafiles database at ${withoutPassword(config.databaseUrl)}: ${error.message}. ${onlyServe} ` +
          'Point --database-url (or DATAFILES_DATABASE_URL) at the database your servers use.',
      );
    }
    throw new DataDirectoryError(
      `no datafiles database in the data directory ${config.dataDir} (${error.message}). ${onlyServe} ` +
        `Point this command at the server's data directory with --data DIR or DATAFILES_DATA_DIR=DIR ` +
        `(a relative DIR is taken from the current directory, ${process.cwd()}), or at its PostgreSQL ` +
        'database with --database-url URL.',
    );
  }
}

function withoutPassword(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'the --database-url given';
  }
}
