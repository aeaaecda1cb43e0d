// The `datafiles` command: serve, and the admin commands. Exit codes: 0 success, 1 failure
// (the message on stderr), 2 usage error.
import { ConfigError } from '../config.js';
import { isDomainError } from '../core/errors.js';
import { DataDirectoryError } from '../server/dataDirectoryError.js';
import { CLIENT_COMMANDS, CLIENT_HELP, isClientCommand } from './clientCommands.js';
import { processIo, type CommandIo } from './io.js';
import { UsageError } from './options.js';

export const HELP = `Usage: datafiles <command> [options]

Commands:
  serve                         serve the Files API (datafiles serve --help)
  users add NAME [--admin]      add a user; prints {"id","name","token",…}
  users list|show|disable|enable|delete   manage users (datafiles users --help)
  users login-link NAME [--expires 15m]   a single-use sign-in link for the web interface
  groups add NAME               add a group; prints {"id","name"}
  groups add-member GROUP USER  put a user in a group
  groups list|show|remove-member|rename|delete   manage groups (datafiles groups --help)
  tokens create USER [--scope S] [--expires D] [--label TEXT]
                                issue another token for a user; prints {"token",…}
  tokens list [USER] | revoke TOKEN_ID | revoke-all USER   (a list never shows a secret)
  audit list [--actor NAME] [--file ID] [--kind KIND] [--since 7d]   security events, newest first
  tokens create USER            issue another token for a user; prints {"token"}
  scan status [--file ID]       virus-scan queue, counts by state (and a file's scans)
  scan rescan --file ID | --all scan a file's revisions, or all, again
  verify [--repair]             check every stored byte against its hashes (datafiles verify --help)
  backup DEST                   copy the embedded store (database + blobs) while serving
  restore SRC --data DIR        rebuild a data directory from a backup

The admin commands work on the stores directly, with or without a running server: --data DIR
(default ./data, env DATAFILES_DATA_DIR), or --database-url for PostgreSQL. They work on the
database a server created and never create one. Lists print a table on a terminal, one JSON
object per line otherwise.

Client commands (talk to a running server: --url/DATAFILES_URL, --token/DATAFILES_TOKEN; --json
for one JSON line per result, the default when stdout is not a terminal):
${CLIENT_HELP}

Run "datafiles <command> --help" for its options.
`;

export async function runCli(args: string[], io: CommandIo = processIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'serve':
        // Loaded on demand: the server's modules take a second to load, which the client commands need not pay.
        return await (await import('./serveCommand.js')).serveCommand(rest, io);
      case 'verify':
        return await (await import('./verifyCommand.js')).verifyCommand(rest, io);
      case 'backup':
      case 'restore':
        return await (await import('./backupCommand.js')).backupCommand(command, rest, io);
      case 'users':
      case 'groups':
      case 'tokens':
      case 'audit':
        return await (await import('./adminCommands.js')).adminCommand(command, rest, io);
      case undefined:
      case 'scan':
        return await (await import('./scanCommands.js')).scanCommand(rest, io);
      case 'help':
      case '--help':
      case '-h':
        io.out(HELP);
        return command === undefined ? 2 : 0;
      default:
        if (isClientCommand(command)) return await CLIENT_COMMANDS[command](rest, io);
        throw new UsageError(`unknown command "${command}"\n\n${HELP}`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.err(`datafiles: ${error.message}\n`);
      return 2;
    }
    if (isDomainError(error) || error instanceof DataDirectoryError) {
      io.err(`datafiles: ${error.message}\n`);
      return 1;
    }
    io.err(`datafiles: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}
