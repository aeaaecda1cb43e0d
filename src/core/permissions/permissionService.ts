// spec: "Get file permissions" / "Update file permissions", with docs/decisions.md 16–19.
import { FileAccess } from '../access/fileAccess.js';
import { ADMIN_GRANT } from '../access/grants.js';
import { DomainError } from '../errors.js';
import type { Caller, PermissionEntry, Permissions } from '../model.js';
import type { MetadataStore } from '../ports/metadataStore.js';
import type { PermissionsUpdate } from './parsePermissions.js';

export class PermissionService {
  private readonly access: FileAccess;

  constructor(private readonly metadata: MetadataStore) {
    this.access = new FileAccess(metadata.permissions);
  }

  /** Reading permissions needs READ_WRITE_DELETE_SHARE (docs/decisions.md 17). */
  async getPermissions(input: { caller: Caller; fileId: number }): Promise<Permissions> {
    await this.requireShare(input.caller, input.fileId);
    return this.metadata.permissions.getPermissions(input.fileId);
  }

  /**
   * Replaces the file's entries (and public flag, when given). docs/decisions.md 17: "Only ADMIN may
   * grant or revoke ADMIN. The owner's ADMIN entry cannot be removed": when the update leaves the
   * owner's entry out it is kept; an update that lowers it is refused.
   */
  async updatePermissions(input: { caller: Caller; fileId: number; update: PermissionsUpdate }): Promise<void> {
    const { file, grant } = await this.requireShare(input.caller, input.fileId);
    const current = await this.metadata.permissions.getPermissions(file.id);
    const entries = input.update.entries ?? current.entries;
    await this.checkEntitiesExist(entries);

    const ownerEntry = entries.find((entry) => entry.entityType === 'USER' && entry.entityId === file.ownerId);
    if (ownerEntry && ownerEntry.grant !== ADMIN_GRANT) {
      throw new DomainError('INVALID_PERMISSIONS', "The owner's READ_WRITE_DELETE_SHARE_ADMIN entry cannot be lowered or removed.");
    }
    const withOwner: PermissionEntry[] = ownerEntry ? entries : [{ entityType: 'USER', entityId: file.ownerId, grant: ADMIN_GRANT, pass: 'NONE' }, ...entries];

    if (grant !== ADMIN_GRANT && changesAdminEntries(current.entries, withOwner)) {
      throw new DomainError('FORBIDDEN', 'Only a holder of READ_WRITE_DELETE_SHARE_ADMIN may grant or revoke it.');
    }
    await this.metadata.permissions.replacePermissions(file.id, {
      publicAccess: input.update.publicAccess ?? current.publicAccess,
      entries: withOwner,
    });
  }

  private async requireShare(caller: Caller, fileId: number) {
    const file = await this.metadata.files.getFile(fileId);
    if (!file) throw new DomainError('FILE_NOT_FOUND');
    const grant = await this.access.require(caller, file, 'share');
    return { file, grant };
  }

  /** An entry naming a user or group that does not exist is a client error, not a dangling row. */
  private async checkEntitiesExist(entries: readonly PermissionEntry[]): Promise<void> {
    for (const entry of entries) {
      const exists =
        entry.entityType === 'USER' ? await this.metadata.principals.getUser(entry.entityId) : await this.metadata.principals.getGroup(entry.entityId);
      if (!exists) {
        throw new DomainError('INVALID_PERMISSIONS', `No ${entry.entityType === 'USER' ? 'user' : 'group'} with id ${entry.entityId}.`);
      }
    }
  }
}

function adminKeys(entries: readonly PermissionEntry[]): Set<string> {
  return new Set(entries.filter((entry) => entry.grant === ADMIN_GRANT).map((entry) => `${entry.entityType}:${entry.entityId}`));
}

function changesAdminEntries(before: readonly PermissionEntry[], after: readonly PermissionEntry[]): boolean {
  const a = adminKeys(before);
  const b = adminKeys(after);
  return a.size !== b.size || [...a].some((key) => !b.has(key));
}
