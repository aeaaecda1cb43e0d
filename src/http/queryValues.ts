// Parses the spec's query parameters. docs/decisions.md 5: "List filters ids and expand are
// comma-separated (ids=1,2), and repeated parameters are also accepted."
import { DomainError } from '../core/errors.js';
import { NEWEST_REVISION, type Expansion } from '../core/files/fileService.js';

export const MAX_LIST_IDS = 1000;

/** Every value of a possibly repeated, possibly comma-separated parameter. */
export function listValues(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return raw
    .flatMap((item) => String(item).split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function parseId(text: string, name = 'id'): number {
  if (!/^[0-9]{1,15}$/.test(text) || Number(text) < 1)
    throw new DomainError('INVALID_ID', `${name} must be a positive integer (got ${JSON.stringify(text.slice(0, 40))}).`);
  return Number(text);
}

/** docs/decisions.md 76: "-1 means the newest revision wherever a revision id is accepted". */
export function parseRevisionId(text: string): number {
  return text.trim() === String(NEWEST_REVISION) ? NEWEST_REVISION : parseId(text, 'revisionId');
}

export function parseIds(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = listValues(value).map((text) => parseId(text, 'ids'));
  if (ids.length > MAX_LIST_IDS) throw new DomainError('BAD_REQUEST', `ids takes at most ${MAX_LIST_IDS} ids.`);
  return ids;
}

const EXPANSIONS: readonly Expansion[] = ['revisions', 'metadata'];

/** docs/decisions.md 10: "Any other expand value is 400." */
export function parseExpand(value: unknown): Set<Expansion> {
  const expand = new Set<Expansion>();
  for (const item of listValues(value)) {
    if (!EXPANSIONS.includes(item as Expansion))
      throw new DomainError('INVALID_EXPAND', `Unknown expand value ${JSON.stringify(item.slice(0, 40))}: expand takes revisions and/or metadata.`);
    expand.add(item as Expansion);
  }
  return expand;
}

/** Booleans as the spec's examples send them: `true`/`false` (any case); absent → default. */
export function parseBoolean(value: unknown, name: string, fallback: boolean): boolean {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  if (last === undefined || last === '') return fallback;
  const text = String(last).trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new DomainError('BAD_REQUEST', `${name} must be true or false.`);
}

export function parseOptionalInteger(value: unknown, name: string, { min, max }: { min: number; max: number }): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(Array.isArray(value) ? value[value.length - 1] : value);
  const number = Number(text);
  if (!/^[0-9]{1,15}$/.test(text) || number < min || number > max) throw new DomainError('BAD_REQUEST', `${name} must be an integer from ${min} to ${max}.`);
  return number;
}

/** A single string parameter; repeated → the last one (how most servers read a repeated scalar). */
export function parseString(value: unknown): string | undefined {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : String(last);
}
