// Turns an option table (config.ts) into node:util parseArgs options and --help text.
import { parseArgs } from 'node:util';
import type { OptionTable } from '../config.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedCommand {
  values: Record<string, string | undefined>;
  flags: Record<string, boolean>;
  positionals: string[];
  help: boolean;
}

export function parseCommand(args: string[], table: OptionTable, flags: Record<string, string> = {}): ParsedCommand {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const name of Object.keys(table)) options[name] = { type: 'string' };
  for (const name of Object.keys(flags)) options[name] = { type: 'boolean' };
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    const stringValues: Record<string, string | undefined> = {};
    const flagValues: Record<string, boolean> = {};
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'string') stringValues[name] = value;
      else if (name !== 'help') flagValues[name] = Boolean(value);
    }
    return { values: stringValues, flags: flagValues, positionals, help: Boolean(values.help) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function optionsHelp(table: OptionTable, flags: Record<string, string> = {}): string {
  const rows = [
    ...Object.entries(table).map(([name, spec]) => [
      `--${name} VALUE`,
      `${spec.description}${spec.default !== undefined && spec.default !== '' ? ` (default ${spec.default})` : ''}; env ${spec.env}`,
    ]),
    ...Object.entries(flags).map(([name, description]) => [`--${name}`, description]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}
