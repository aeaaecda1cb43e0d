// Validates a permissions object from a client (spec: "Update file permissions").
// docs/decisions.md 2: entityId is a string on the wire; we accept a number too, as clients send both.
import { DomainError } from '../errors.js';
import { ENTITY_TYPES, GRANTS, type EntityType, type Grant, type PermissionEntry } from '../model.js';

export interface PermissionsUpdate {
  publicAccess?: boolean;
  entries?: PermissionEntry[];
}

export const MAX_PERMISSION_ENTRIES = 1000;

function invalid(message: string): never {
  throw new DomainError('INVALID_PERMISSIONS', message);
}

function parseEntityId(value: unknown, index: number): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    invalid(`entries[${index}].entityId must be a positive integer id.`);
  }
  return Number(text);
}

function parseEntry(value: unknown, index: number): PermissionEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(`entries[${index}] must be an object.`);
  const entry = value as Record<string, unknown>;
  if (!ENTITY_TYPES.includes(entry.entityType as EntityType)) invalid(`entries[${index}].entityType must be USER or GROUP.`);
  if (!GRANTS.includes(entry.grant as Grant)) invalid(`entries[${index}].grant must be one of ${GRANTS.join(', ')}.`);
  // docs/decisions.md 37: pass has no meaning here, so only NONE (what Domo's clients send, and
  // what every answer says) is accepted; any grant in it would be a promise the server cannot keep.
  if (entry.pass !== undefined && entry.pass !== null && entry.pass !== 'NONE')
    invalid(`entries[${index}].pass must be NONE (or left out): pass grants nothing on this server.`);
  return { entityType: entry.entityType as EntityType, entityId: parseEntityId(entry.entityId, index), grant: entry.grant as Grant, pass: 'NONE' };
}

export function parsePermissionsUpdate(body: unknown): PermissionsUpdate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid('The body must be a permissions object {publicAccess, entries}.');
  const { publicAccess, entries } = body as Record<string, unknown>;
  if (publicAccess === undefined && entries === undefined) invalid('The permissions object needs publicAccess or entries.');
  if (publicAccess !== undefined && typeof publicAccess !== 'boolean') invalid('publicAccess must be true or false.');
  if (entries !== undefined && !Array.isArray(entries)) invalid('entries must be an array.');
  if (Array.isArray(entries) && entries.length > MAX_PERMISSION_ENTRIES) invalid(`At most ${MAX_PERMISSION_ENTRIES} entries.`);
  const parsed = Array.isArray(entries) ? entries.map(parseEntry) : undefined;
  if (parsed) {
    const seen = new Set<string>();
    for (const entry of parsed) {
      const key = `${entry.entityType}:${entry.entityId}`;
      if (seen.has(key)) invalid(`${entry.entityType} ${entry.entityId} appears twice.`);
      seen.add(key);
    }
  }
  return { publicAccess: publicAccess as boolean | undefined, entries: parsed };
}
