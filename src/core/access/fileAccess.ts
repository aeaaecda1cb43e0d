// Decides what a caller may do with a file (docs/decisions.md 16–19).
import { DomainError } from '../errors.js';
import type { Caller, FileRecord, Grant, PermissionEntry } from '../model.js';
import type { PermissionStore } from '../ports/metadataStore.js';
import { ADMIN_GRANT, grantAtLeast, highestGrant, NEEDED_GRANT, type Access } from './grants.js';

/**
 * "A user's grant is the highest of its own entry, its groups' entries, and READ if publicAccess
 * is true." The owner and instance admins hold ADMIN whatever the entries say.
 */
export function effectiveGrant(caller: Caller, file: FileRecord, entries: readonly PermissionEntry[]): Grant | undefined {
  if (caller.user.isAdmin || file.ownerId === caller.user.id) return ADMIN_GRANT;
  const groupIds = new Set(caller.groupIds);
  const applicable = entries.filter(
    (entry) => (entry.entityType === 'USER' && entry.entityId === caller.user.id) || (entry.entityType === 'GROUP' && groupIds.has(entry.entityId)),
  );
  return highestGrant([...applicable.map((entry) => entry.grant), file.publicAccess ? 'READ' : undefined]);
}

export class FileAccess {
  constructor(private readonly permissions: PermissionStore) {}

  async grantOf(caller: Caller, file: FileRecord): Promise<Grant | undefined> {
    if (caller.user.isAdmin || file.ownerId === caller.user.id) return ADMIN_GRANT;
    const entries = await this.permissions.entriesFor({ fileId: file.id, userId: caller.user.id, groupIds: caller.groupIds });
    return effectiveGrant(caller, file, entries);
  }

  /**
   * "A file the caller may not read is 404 (its existence is not revealed); one it may read but
   * not change is 403." Returns the caller's grant.
   */
  async require(caller: Caller, file: FileRecord, access: Access): Promise<Grant> {
    const grant = await this.grantOf(caller, file);
    if (!grantAtLeast(grant, 'READ')) throw new DomainError('FILE_NOT_FOUND');
    if (!grantAtLeast(grant, NEEDED_GRANT[access])) throw new DomainError('FORBIDDEN');
    return grant as Grant;
  }
}
