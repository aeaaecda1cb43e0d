// docs/decisions.md 9: "name is required (1–1024 characters) and stored verbatim, quotes and whitespace
// included; it is a label, never a path. description is optional (≤ 4096)."
import { DomainError } from '../errors.js';

export const MAX_NAME_LENGTH = 1024;
export const MAX_DESCRIPTION_LENGTH = 4096;

export function validateName(name: string | undefined): string {
  if (name === undefined || name.length === 0 || name.length > MAX_NAME_LENGTH) throw new DomainError('INVALID_NAME');
  // Control characters (NUL, CR, LF, …) in a label only ever serve header or log injection.
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new DomainError('INVALID_NAME', 'name must not contain control characters.');
  return name;
}

export function validateDescription(description: string | undefined): string {
  const value = description ?? '';
  if (value.length > MAX_DESCRIPTION_LENGTH) throw new DomainError('INVALID_DESCRIPTION');
  if (/[\u0000\u007f]/.test(value)) throw new DomainError('INVALID_DESCRIPTION', 'description must not contain NUL characters.');
  return value;
}
