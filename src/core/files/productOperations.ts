// The operations Domo's Product API adds to the App Framework's (spec: product-api.md, P5, P6, P8,
// P9, and the metadata update): revision details, copy, duplicate, and description/public without
// bytes. Copies and duplicates share the source's bytes (docs/decisions.md 82, 83).
import { DomainError } from '../errors.js';
import type { Caller, RevisionRecord } from '../model.js';
import type { Clock } from '../ports/clock.js';
import type { FileWithRevision, MetadataStore } from '../ports/metadataStore.js';
import { resolveRevisionId, type FileService } from './fileService.js';
import { validateDescription } from './validation.js';

export interface ProductOperationsDeps {
  metadata: MetadataStore;
  files: FileService;
  clock: Clock;
}

export class ProductOperations {
  constructor(private readonly deps: ProductOperationsDeps) {}

  /** P5 `GET /{id}/revisions/{rid}/details`: one revision (docs/decisions.md 76: -1 is the newest). */
  async revisionDetails(input: { caller: Caller; fileId: number; revisionId: number }): Promise<RevisionRecord> {
    const file = await this.deps.files.requireFile(input.caller, input.fileId, 'read');
    const revision = await this.deps.metadata.files.getRevision({ fileId: file.id, revisionId: resolveRevisionId(file, input.revisionId) });
    if (!revision) throw new DomainError('REVISION_NOT_FOUND');
    return revision;
  }

  /** P6 `GET /{id}/revisions/details`: every revision, newest first (docs/decisions.md 10). */
  async allRevisionDetails(input: { caller: Caller; fileId: number }): Promise<RevisionRecord[]> {
    const file = await this.deps.files.requireFile(input.caller, input.fileId, 'read');
    const revisions = (await this.deps.metadata.files.listRevisions([file.id])).get(file.id) ?? [];
    // docs/decisions.md 187: no revision left means the file was deleted after it was checked.
    if (revisions.length === 0) throw new DomainError('FILE_NOT_FOUND');
    return revisions;
  }

  /**
   * P8: the source's current revision becomes the target's new current revision, sharing its
   * bytes. READ on the source (else 404), READ_WRITE on the target (404 or 403).
   */
  async copyCurrentRevision(input: { caller: Caller; sourceFileId: number; targetFileId: number }): Promise<RevisionRecord> {
    await this.requireCopyable(input.caller, input.sourceFileId);
    await this.deps.files.requireFile(input.caller, input.targetFileId, 'write');
    return this.deps.metadata.files.copyCurrentRevision({ ...input, uploadUserId: input.caller.user.id, uploadedAt: this.deps.clock.now() });
  }

  /** P9: a new private file owned by the caller, with the source's name, description and current bytes. */
  async duplicate(input: { caller: Caller; fileId: number }): Promise<FileWithRevision> {
    await this.requireCopyable(input.caller, input.fileId);
    return this.deps.metadata.files.duplicateFile({ sourceFileId: input.fileId, ownerId: input.caller.user.id, createdAt: this.deps.clock.now() });
  }

  /**
   * READ on the source, and a current revision not found INFECTED (docs/decisions.md 87): its
   * bytes are never served, so they are not handed on either. A copy carries the source's scan
   * state, so a copy of a revision still PENDING is scanned like it.
   */
  private async requireCopyable(caller: Caller, fileId: number): Promise<void> {
    await this.deps.files.requireFile(caller, fileId, 'read');
    const current = await this.deps.metadata.files.getFileWithRevision(fileId);
    if (current?.currentRevision.scanState === 'INFECTED') {
      throw new DomainError('INFECTED', "This file's current revision was found to contain malware: it cannot be copied or duplicated.");
    }
  }

  /**
   * `PUT /{id}?description=…&public=…` with no body (docs/decisions.md 81): the description needs
   * READ_WRITE (as a revision does); the public flag is part of the permissions, so it needs
   * READ_WRITE_DELETE_SHARE, as `PUT /{id}/permissions` does.
   */
  async updateMetadata(input: { caller: Caller; fileId: number; description?: string; publicAccess?: boolean }): Promise<FileWithRevision> {
    const description = input.description === undefined ? undefined : validateDescription(input.description);
    await this.deps.files.requireFile(input.caller, input.fileId, input.publicAccess === undefined ? 'write' : 'share');
    await this.deps.metadata.files.updateFileMetadata({ fileId: input.fileId, description, publicAccess: input.publicAccess });
    const updated = await this.deps.metadata.files.getFileWithRevision(input.fileId);
    if (!updated) throw new DomainError('FILE_NOT_FOUND');
    return updated;
  }
}
