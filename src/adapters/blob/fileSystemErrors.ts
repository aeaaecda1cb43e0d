// Translation of Node file-system errors at the adapter boundary (docs/architecture.md, "Errors":
// adapters translate backend errors). Only errors that mean "the disk cannot serve us" become
// DEPENDENCY_UNAVAILABLE; anything else (a failing request body, a bug) passes through unchanged.
import { DomainError } from '../../core/errors.js';

const UNAVAILABLE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);

export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** True when the path (or one of its parent directories) does not exist. */
export function isMissingPathError(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function toStorageError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  const code = errorCodeOf(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
    return new DomainError('DEPENDENCY_UNAVAILABLE', `The blob directory cannot be used (${code}).`, { cause: error });
  }
  return error;
}

/** Runs `operation`, turning disk-level failures into domain errors. */
export async function withStorageErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStorageError(error);
  }
}
