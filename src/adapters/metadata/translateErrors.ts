// The adapter boundary (docs/architecture.md, "Adapters translate backend errors at their boundary"):
// every store method's failure passes through one translation, so no driver error meaning
// "the database is down" escapes as a bare pg or SQLite error.
import { DomainError } from '../../core/errors.js';
import type { SqlDialect } from './sqlDialect.js';

export function databaseErrorTranslator(dialect: SqlDialect): (error: unknown) => unknown {
  return (error) => {
    if (error instanceof DomainError) return error;
    if (dialect.isUnavailable(error)) return new DomainError('DEPENDENCY_UNAVAILABLE', undefined, { cause: error });
    // Anything else is a bug or a broken invariant: keep the original error and its stack.
    return error;
  };
}

/** A copy of `target` whose async methods rethrow their errors through `translate`. */
export function withTranslatedErrors<T extends object>(target: T, translate: (error: unknown) => unknown): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(target)) {
    wrapped[key] =
      typeof member === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await member.apply(target, args);
            } catch (error) {
              throw translate(error);
            }
          }
        : member;
  }
  return wrapped as T;
}
