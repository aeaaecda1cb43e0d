// Whether a failed metadata commit surely wrote nothing (docs/decisions.md 142). A domain error
// raised by the store (the file was deleted meanwhile, a quota, a conflict) comes from a
// transaction that rolled back. DEPENDENCY_UNAVAILABLE does not say that: a statement that timed
// out on our side, or a connection that broke, may still commit, even seconds later when a frozen
// database resumes. Nor does an error we do not know. Only after a sure failure may the write path
// delete the bytes it stored for the row; otherwise they are left to the orphan sweep, whose grace
// period outlasts a late commit (docs/decisions.md 95).
import { isDomainError } from '../errors.js';

export function commitSurelyFailed(error: unknown): boolean {
  return isDomainError(error) && error.code !== 'DEPENDENCY_UNAVAILABLE';
}
