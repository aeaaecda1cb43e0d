// What the client commands (upload, download, ls, info, rm, share, unshare, public) share: their
// options, the connection (--url/--token or DATAFILES_URL/DATAFILES_TOKEN), the output (one JSON
// line per result with --json or when stdout is not a terminal, else text for a person) and the
// error report (the server's own message; exit 1).
import { parseArgs } from 'node:util';
import { createClient, isDatafilesError, type DatafilesClient } from '@datafiles/sdk';
import type { CommandIo } from './io.js';
import { UsageError } from './options.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; description: string; value?: string };

export interface ClientCommandSpec {
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Exactly this many positionals (or a range). */
  positionals: { min: number; max: number };
}

export const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', value: 'URL', description: `the server (env DATAFILES_URL; default ${DEFAULT_URL})` },
  token: { type: 'string', value: 'TOKEN', description: 'your token (env DATAFILES_TOKEN)' },
  json: { type: 'boolean', description: 'machine-readable output: one JSON line per result, no progress bar' },
};

export interface ClientCommandContext {
  io: CommandIo;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** True for --json, or when stdout is not a terminal. */
  json: boolean;
  client: DatafilesClient;
  url: string;
  /** Prints a result: its JSON line, or the text for a person. */
  print(result: unknown, human: string): void;
}

export function commandHelp(spec: ClientCommandSpec): string {
  const rows = Object.entries({ ...spec.options, ...CONNECTION_OPTIONS }).map(([name, option]) => [
    `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`,
    option.description,
  ]);
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left.length));
  return `Usage: ${spec.usage}\n\n${spec.summary}\n\nOptions:\n${rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n')}\n`;
}

/** Parses the arguments; null when --help was asked (and printed). */
export function parseClientCommand(spec: ClientCommandSpec, args: string[], io: CommandIo): Omit<ClientCommandContext, 'client' | 'url' | 'print'> | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries({ ...spec.options, ...CONNECTION_OPTIONS }))
    options[name] = { type: option.type, ...(option.short ? { short: option.short } : {}) };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${commandHelp(spec)}`);
  }
  if (parsed.values.help === true) {
    io.out(commandHelp(spec));
    return null;
  }
  const count = parsed.positionals.length;
  if (count < spec.positionals.min || count > spec.positionals.max) {
    throw new UsageError(
      `${count < spec.positionals.min ? 'missing arguments' : `unexpected argument "${parsed.positionals[spec.positionals.max]}"`}\n\n${commandHelp(spec)}`,
    );
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  return { io, values, positionals: parsed.positionals, json: Boolean(values.json) || !io.isTty };
}

export function connect(context: Omit<ClientCommandContext, 'client' | 'url' | 'print'>): ClientCommandContext {
  const { io, values } = context;
  const url = (values.url as string | undefined) ?? io.env.DATAFILES_URL ?? DEFAULT_URL;
  const token = (values.token as string | undefined) ?? io.env.DATAFILES_TOKEN;
  if (!token) throw new UsageError('no token: pass --token TOKEN or set DATAFILES_TOKEN (datafiles tokens create USER prints one)');
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`--url must be an http:// or https:// URL; got "${url}"`);
  const client = createClient({ baseUrl: url, token });
  const print = (result: unknown, human: string) => io.out(context.json ? `${JSON.stringify(result)}\n` : human.endsWith('\n') ? human : `${human}\n`);
  return { ...context, client, url, print };
}

/** A positive integer id from an argument or option, or a usage error naming it. */
export function idArgument(text: string | undefined, what: string): number {
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new UsageError(`${what} must be a positive integer id; got "${text ?? ''}"`);
  return Number(text);
}

/**
 * Runs a client command: usage errors propagate (exit 2, main.ts reports them); the server's
 * errors are printed with its message and end in exit 1.
 */
export async function runClientCommand(
  spec: ClientCommandSpec,
  args: string[],
  io: CommandIo,
  run: (context: ClientCommandContext) => Promise<number | void>,
): Promise<number> {
  const parsed = parseClientCommand(spec, args, io);
  if (parsed === null) return 0;
  const context = connect(parsed);
  try {
    return (await run(context)) ?? 0;
  } catch (error) {
    if (isDatafilesError(error)) {
      const where =
        error.status === 0
          ? ` (is the server at ${context.url} running?)`
          : ` (${error.status} ${error.statusReason}${error.toe ? `, request ${error.toe}` : ''})`;
      io.err(`datafiles: ${error.message}${where}\n`);
      return 1;
    }
    if (error instanceof UsageError) throw error;
    if (error instanceof RangeError || error instanceof TypeError) {
      io.err(`datafiles: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
