// `datafiles ls`, `info`, `rm`, `share`, `unshare` and `public`: one SDK call each (share and
// unshare read the permissions, change one entry and write them back).
import { GRANTS, type FileDetails, type FilePermissions, type Grant, type PermissionEntry } from '@datafiles/sdk';
import type { CommandIo } from './io.js';
import { idArgument, runClientCommand, type ClientCommandContext, type ClientCommandSpec } from './clientCommand.js';
import { UsageError } from './options.js';
import { principalId } from './principalLookup.js';
import { formatBytes } from './progress.js';

export const LS: ClientCommandSpec = {
  usage: 'datafiles ls [options]',
  summary: 'List the files you may read, by id (JSON: one line holding the array).',
  positionals: { min: 0, max: 0 },
  options: {
    owned: { type: 'boolean', description: 'only the files you own' },
    ids: { type: 'string', value: 'ID,ID…', description: 'only these files' },
    limit: { type: 'string', value: 'N', description: 'at most N files' },
    offset: { type: 'string', value: 'N', description: 'skip the first N' },
  },
};

export const INFO: ClientCommandSpec = {
  usage: 'datafiles info FILE_ID',
  summary: "Show a file's details, every revision, and its permissions.",
  positionals: { min: 1, max: 1 },
  options: {},
};

export const RM: ClientCommandSpec = {
  usage: 'datafiles rm FILE_ID [--revision R]',
  summary: 'Delete a file with every revision, or only revision R (the newest remaining one becomes current).',
  positionals: { min: 1, max: 1 },
  options: { revision: { type: 'string', value: 'R', description: 'delete only this revision' } },
};

const WHO_OPTIONS = {
  user: { type: 'string', value: 'USER', description: 'a user, by id or name' },
  group: { type: 'string', value: 'GROUP', description: 'a group, by id or name' },
} as const;

export const SHARE: ClientCommandSpec = {
  usage: 'datafiles share FILE_ID (--user USER | --group GROUP) --grant GRANT',
  summary: `Give a user or a group a grant on a file (replacing the one it had).\nGrants: ${GRANTS.join(', ')}.`,
  positionals: { min: 1, max: 1 },
  options: {
    ...WHO_OPTIONS,
    grant: { type: 'string', value: 'GRANT', description: 'READ, READ_WRITE, …' },
    pass: { type: 'string', value: 'PASS', description: 'NONE, the default and the only value the server accepts' },
  },
};

export const UNSHARE: ClientCommandSpec = {
  usage: 'datafiles unshare FILE_ID (--user USER | --group GROUP)',
  summary: "Remove a user's or a group's entry from a file's permissions (the owner's stays).",
  positionals: { min: 1, max: 1 },
  options: { ...WHO_OPTIONS },
};

export const PUBLIC: ClientCommandSpec = {
  usage: 'datafiles public FILE_ID on|off',
  summary: 'Let every user read a file (on), or only those it is shared with (off).',
  positionals: { min: 2, max: 2 },
  options: {},
};

function iso(millis: number): string {
  return new Date(millis).toISOString().replace('.000Z', 'Z');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')).join('\n');
}

export function lsCommand(args: string[], io: CommandIo): Promise<number> {
  return runClientCommand(LS, args, io, async ({ client, values, print }) => {
    const idsText = values.ids as string | undefined;
    const ids = idsText === undefined ? undefined : idsText.split(',').map((id) => idArgument(id.trim(), '--ids'));
    const limit = values.limit === undefined ? undefined : idArgument(values.limit as string, '--limit');
    const offset =
      values.offset === undefined
        ? undefined
        : /^[0-9]+$/.test(values.offset as string)
          ? Number(values.offset)
          : idArgument(values.offset as string, '--offset');
    const files = await client.getFileDetailsList({ limitToOwned: Boolean(values.owned), ids, limit, offset });
    const rows = [['ID', 'SIZE', 'TYPE', 'UPLOADED', 'REVISION', 'NAME']];
    for (const file of files) {
      const revision = file.currentRevision;
      rows.push([
        String(file.dataFileId),
        formatBytes(revision.sizeBytes),
        revision.contentType,
        iso(revision.datetimeUploaded),
        String(revision.dataFileRevisionId),
        file.name,
      ]);
    }
    print(files, files.length === 0 ? 'No files.' : table(rows));
  });
}

function describeFile(file: FileDetails, permissions: FilePermissions | undefined): string {
  const revision = file.currentRevision;
  const lines = [
    `File ${file.dataFileId}: ${file.name}`,
    `  description   ${file.description || '-'}`,
    `  owner         user ${file.responsibleUserId}`,
    `  created       ${iso(file.datetimeCreated)}`,
    `  public        ${file.publicAccess ? 'yes' : 'no'}`,
    `  current       revision ${revision.dataFileRevisionId}: ${formatBytes(revision.sizeBytes)} ${revision.contentType}, uploaded ${iso(revision.datetimeUploaded)} by user ${revision.uploadUserId}`,
    `  sha256        ${revision.sha256HashValue}`,
    `  md5           ${revision.md5Hash}`,
    `  scan          ${revision.scanState}`,
    '  revisions',
    ...file.revisions.map(
      (each) => `    ${each.dataFileRevisionId}  ${formatBytes(each.sizeBytes).padStart(9)}  ${iso(each.datetimeUploaded)}  ${each.sha256HashValue}`,
    ),
  ];
  if (permissions) {
    lines.push('  permissions');
    for (const entry of permissions.entries)
      lines.push(`    ${entry.entityType.padEnd(5)} ${entry.entityId.padEnd(8)} ${entry.grant}${entry.pass !== 'NONE' ? ` (pass ${entry.pass})` : ''}`);
  }
  return lines.join('\n');
}

export function infoCommand(args: string[], io: CommandIo): Promise<number> {
  return runClientCommand(INFO, args, io, async ({ client, positionals, print }) => {
    const dataFileId = idArgument(positionals[0], 'FILE_ID');
    const details = await client.getFileDetails(dataFileId, { expand: ['revisions', 'metadata'] });
    // Reading permissions needs READ_WRITE_DELETE_SHARE; a reader without it still sees the details.
    const permissions = await client.getFilePermissions(dataFileId).catch((error: { status?: number }) => {
      if (error?.status === 403) return undefined;
      throw error;
    });
    print({ ...details, permissions: permissions ?? null }, describeFile(details, permissions));
  });
}

export function rmCommand(args: string[], io: CommandIo): Promise<number> {
  return runClientCommand(RM, args, io, async ({ client, values, positionals, print }) => {
    const dataFileId = idArgument(positionals[0], 'FILE_ID');
    const revisionId = values.revision === undefined ? undefined : idArgument(values.revision as string, '--revision');
    await client.deleteFile(dataFileId, { revisionId });
    print(
      { dataFileId, revisionId: revisionId ?? null, deleted: true },
      revisionId === undefined ? `Deleted file ${dataFileId}` : `Deleted revision ${revisionId} of file ${dataFileId}`,
    );
  });
}

/** By id, or by name (looked up on the server: principalLookup.ts). */
async function whoOf(context: ClientCommandContext): Promise<{ entityType: 'USER' | 'GROUP'; entityId: string }> {
  const { values } = context;
  if ((values.user === undefined) === (values.group === undefined)) throw new UsageError('name exactly one of --user USER or --group GROUP');
  const entityType = values.user !== undefined ? 'USER' : 'GROUP';
  return { entityType, entityId: String(await principalId(context, entityType, String(values.user ?? values.group))) };
}

function grantOf(text: string | undefined, what: string): Grant {
  const grant = text?.trim().toUpperCase().replace(/-/g, '_');
  if (!grant || !(GRANTS as readonly string[]).includes(grant)) throw new UsageError(`${what} must be one of ${GRANTS.join(', ')}; got "${text ?? ''}"`);
  return grant as Grant;
}

function describePermissions(dataFileId: number, permissions: FilePermissions): string {
  const entries = permissions.entries.map((entry) => `  ${entry.entityType.padEnd(5)} ${entry.entityId.padEnd(8)} ${entry.grant}`);
  return [`File ${dataFileId}${permissions.publicAccess ? ' (public)' : ''}:`, ...entries].join('\n');
}

async function changeEntries(context: ClientCommandContext, change: (entries: PermissionEntry[]) => PermissionEntry[]): Promise<void> {
  const dataFileId = idArgument(context.positionals[0], 'FILE_ID');
  const current = await context.client.getFilePermissions(dataFileId);
  await context.client.updateFilePermissions(dataFileId, { entries: change(current.entries) });
  const updated = await context.client.getFilePermissions(dataFileId);
  context.print({ dataFileId, ...updated }, describePermissions(dataFileId, updated));
}

export function shareCommand(args: string[], io: CommandIo): Promise<number> {
  return runClientCommand(SHARE, args, io, async (context) => {
    const who = await whoOf(context);
    const grant = grantOf(context.values.grant as string | undefined, '--grant');
    // docs/decisions.md 37: the server accepts no other pass.
    if (context.values.pass !== undefined && String(context.values.pass).toUpperCase() !== 'NONE')
      throw new UsageError(`--pass takes only NONE; got "${String(context.values.pass)}"`);
    const pass = 'NONE';
    await changeEntries(context, (entries) => [
      ...entries.filter((entry) => !(entry.entityType === who.entityType && entry.entityId === who.entityId)),
      { ...who, grant, pass },
    ]);
  });
}

export function unshareCommand(args: string[], io: CommandIo): Promise<number> {
  return runClientCommand(UNSHARE, args, io, async (context) => {
    const who = await whoOf(context);
    await changeEntries(context, (entries) => entries.filter((entry) => !(entry.entityType === who.entityType && entry.entityId === who.entityId)));
  });
}

export function publicCommand(args: string[], io: CommandIo): Promise<number> {
  return runClientCommand(PUBLIC, args, io, async ({ client, positionals, print }) => {
    const dataFileId = idArgument(positionals[0], 'FILE_ID');
    const setting = positionals[1].toLowerCase();
    if (!['on', 'off', 'true', 'false'].includes(setting)) throw new UsageError(`say "on" or "off"; got "${positionals[1]}"`);
    const publicAccess = setting === 'on' || setting === 'true';
    await client.updateFilePermissions(dataFileId, { publicAccess });
    print({ dataFileId, publicAccess }, `File ${dataFileId} is ${publicAccess ? 'now public: every user may read it' : 'no longer public'}`);
  });
}
