// Admin commands that work on the stores directly, also while a server runs on them:
//   datafiles users add NAME [--admin] --data DIR       → {"id":…,"name":"…","token":"…"}
//   datafiles groups add NAME --data DIR                → {"id":…,"name":"…"}
//   datafiles groups add-member GROUP USER --data DIR   → {"groupId":…,"userId":…}
//   datafiles tokens create USER --data DIR             → {"token":"…"}
// They never create a data directory or a database (docs/decisions.md 47): only `serve` does.
import { MissingDatabaseError } from '../adapters/metadata/missingDatabase.js';
import { parseStorageConfig, STORAGE_OPTIONS, type StorageConfig } from '../config.js';
import { PrincipalService } from '../core/principals/principalService.js';
import type { MetadataStore } from '../core/ports/metadataStore.js';
import { systemClock } from '../core/ports/clock.js';
import { DataDirectoryError } from '../server/dataDirectoryError.js';
import { openMetadataStore } from '../server/openStores.js';
import type { CommandIo } from './io.js';
import { optionsHelp, parseCommand, UsageError } from './options.js';

interface AdminCommand {
  usage: string;
  arity: number;
  flags?: Record<string, string>;
  run(principals: PrincipalService, positionals: string[], flags: Record<string, boolean>): Promise<object>;
}

export const ADMIN_COMMANDS: Record<string, Record<string, AdminCommand>> = {
  users: {
    add: {
      usage: 'datafiles users add NAME [--admin]',
      arity: 1,
      flags: { admin: 'make the user an instance admin' },
      async run(principals, [name], flags) {
        const { user, token } = await principals.addUser({ name, isAdmin: Boolean(flags.admin) });
        return { id: user.id, name: user.name, token };
      },
    },
  },
  groups: {
    add: {
      usage: 'datafiles groups add NAME',
      arity: 1,
      async run(principals, [name]) {
        const group = await principals.addGroup(name);
        return { id: group.id, name: group.name };
      },
    },
    'add-member': {
      usage: 'datafiles groups add-member GROUP USER   (each by id or name)',
      arity: 2,
      async run(principals, [group, user]) {
        const added = await principals.addGroupMember({ group, user });
        return { groupId: added.group.id, userId: added.user.id };
      },
    },
  },
  tokens: {
    create: {
      usage: 'datafiles tokens create USER   (by id or name)',
      arity: 1,
      async run(principals, [user]) {
        const { token } = await principals.createTokenFor(user);
        return { token };
      },
    },
  },
};

export function adminHelp(group: string): string {
  const commands = ADMIN_COMMANDS[group];
  return `Usage:\n${Object.values(commands).map((command) => `  ${command.usage} [--data DIR | --database-url URL]`).join('\n')}\n\nOptions:\n${optionsHelp(STORAGE_OPTIONS)}`;
}

export async function adminCommand(group: string, args: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = args;
  const command = name === undefined ? undefined : ADMIN_COMMANDS[group][name];
  if (!command) {
    if (name === undefined || name === '--help' || name === '-h') {
      io.out(`${adminHelp(group)}\n`);
      return name === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${group} ${name}"\n\n${adminHelp(group)}`);
  }
  const parsed = parseCommand(rest, STORAGE_OPTIONS, command.flags);
  if (parsed.help) {
    io.out(`Usage: ${command.usage}\n\nOptions:\n${optionsHelp(STORAGE_OPTIONS, command.flags)}\n`);
    return 0;
  }
  if (parsed.positionals.length !== command.arity) throw new UsageError(`usage: ${command.usage}`);
  const metadata = await openExistingMetadataStore(parseStorageConfig(parsed.values, io.env));
  try {
    const result = await command.run(new PrincipalService({ metadata, clock: systemClock }), parsed.positionals, parsed.flags);
    io.out(`${JSON.stringify(result)}\n`);
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
