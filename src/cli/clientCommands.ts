// The commands that talk to a running server through the SDK, by name, and their lines in the
// top-level help.
import { infoCommand, lsCommand, publicCommand, rmCommand, shareCommand, unshareCommand } from './fileCommands.js';
import type { CommandIo } from './io.js';
import { downloadCommand, uploadCommand } from './transferCommands.js';

export const CLIENT_COMMANDS: Readonly<Record<string, (args: string[], io: CommandIo) => Promise<number>>> = {
  upload: uploadCommand,
  download: downloadCommand,
  ls: lsCommand,
  info: infoCommand,
  rm: rmCommand,
  share: shareCommand,
  unshare: unshareCommand,
  public: publicCommand,
};

export const CLIENT_HELP = `  upload PATH [--to FILE_ID]    upload a file (in parallel parts when large), with progress
  download FILE_ID [-o PATH]    download a file (--revision R), size and SHA-256 checked
  ls [--owned]                  list the files you may read
  info FILE_ID                  a file's details, revisions and permissions
  rm FILE_ID [--revision R]     delete a file, or one revision
  share FILE_ID (--user USER | --group GROUP) --grant GRANT   (by id or name)
  unshare FILE_ID (--user USER | --group GROUP)
  public FILE_ID on|off         let every user read a file, or not`;

export function isClientCommand(name: string | undefined): name is string {
  return name !== undefined && Object.hasOwn(CLIENT_COMMANDS, name);
}
